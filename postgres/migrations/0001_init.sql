-- connectmail's PostgreSQL schema, version 1: the same tables as the SQLite
-- store's migration 0001, with native types (timestamptz, jsonb, bytea), plus
-- what several processes sharing one database need: the nodes table and the
-- owner of each job's lease.

-- Keys that are paged through compare bytewise (COLLATE "C"), as in SQLite.
CREATE TABLE instances (
  id text COLLATE "C" PRIMARY KEY,
  arn text NOT NULL,
  alias text NOT NULL DEFAULT '',
  identity_type text NOT NULL,
  directory_id text NOT NULL DEFAULT '',
  inbound boolean NOT NULL,
  outbound boolean NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  tags jsonb
);
CREATE UNIQUE INDEX instances_alias ON instances(alias) WHERE alias <> '';

CREATE TABLE email_addresses (
  id text COLLATE "C" PRIMARY KEY,
  instance_id text NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  arn text NOT NULL,
  address text NOT NULL,
  address_lc text NOT NULL UNIQUE,
  display_name text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  alias_of text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  tags jsonb
);
CREATE INDEX email_addresses_instance ON email_addresses(instance_id, created_at);

CREATE TABLE contacts (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  instance_id text NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  arn text NOT NULL,
  channel text NOT NULL,
  initiation_method text NOT NULL,
  related_id text NOT NULL DEFAULT '',
  previous_id text NOT NULL DEFAULT '',
  initial_id text NOT NULL DEFAULT '',
  name text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  agent_id text NOT NULL DEFAULT '',
  attributes jsonb,
  -- References and segment attributes keep the API's JSON text as sent.
  refs json,
  segment json,
  expiry_minutes integer NOT NULL DEFAULT 0,
  state text NOT NULL,
  initiated_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  disconnected_at timestamptz,
  disconnect_reason text NOT NULL DEFAULT '',
  from_addr text NOT NULL DEFAULT '',
  from_name text NOT NULL DEFAULT '',
  to_addr text NOT NULL DEFAULT '',
  to_name text NOT NULL DEFAULT '',
  to_list jsonb,
  cc jsonb,
  subject text NOT NULL DEFAULT '',
  message_id text NOT NULL DEFAULT '',
  source text NOT NULL DEFAULT '',
  template_ref text NOT NULL DEFAULT '',
  not_interpolated jsonb,
  tags jsonb
);
CREATE INDEX contacts_instance ON contacts(instance_id, seq);

CREATE TABLE messages (
  contact_id text PRIMARY KEY,
  envelope_from text NOT NULL,
  recipients jsonb NOT NULL,
  raw bytea NOT NULL
);

-- Processes (nodes) using this database. Each refreshes heartbeat_at; a node
-- whose heartbeat is older than the survivors' node timeout is gone, and its
-- leased jobs are made due again.
CREATE TABLE nodes (
  id text PRIMARY KEY,
  host text NOT NULL DEFAULT '',
  pid integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- Pending delivery jobs. next_at is when the job is next due; a claimed job's
-- next_at is its lease expiry, so an abandoned lease makes it due again even
-- without the node heartbeat. leased_by is the node holding the lease.
CREATE TABLE jobs (
  contact_id text PRIMARY KEY,
  instance_id text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL,
  leased_by text,
  created_at timestamptz NOT NULL
);
CREATE INDEX jobs_due ON jobs(next_at);
CREATE INDEX jobs_leased_by ON jobs(leased_by) WHERE leased_by IS NOT NULL;

CREATE TABLE attempts (
  contact_id text NOT NULL,
  n integer NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  outcome text NOT NULL,
  code integer NOT NULL DEFAULT 0,
  detail text NOT NULL DEFAULT '',
  PRIMARY KEY (contact_id, n)
);

-- The event log. A reader follows it by id and must never skip an event,
-- but ids from a sequence are not committed in order. So a transaction that
-- will add events first reserves its ids, in a tiny transaction of its own
-- (serialized by an advisory lock, committed without waiting for the disk:
-- losing a reservation in a crash is harmless), then inserts the events with
-- those ids and deletes its reservation when it commits. Readers only return
-- events below the lowest outstanding reservation: every id below it is
-- committed or will never be used.
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  contact_id text NOT NULL,
  instance_id text NOT NULL,
  type text NOT NULL,
  time timestamptz NOT NULL,
  detail json
);
CREATE INDEX events_contact ON events(contact_id, id);

-- Outstanding event id reservations: ids first_id..last_id belong to an
-- open transaction of node.
CREATE TABLE event_reservations (
  token text PRIMARY KEY,
  node text NOT NULL,
  first_id bigint NOT NULL,
  last_id bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_reservations_first ON event_reservations(first_id);
CREATE INDEX events_instance ON events(instance_id);

CREATE TABLE idempotency (
  op text NOT NULL,
  token text NOT NULL,
  hash text NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (op, token)
);

-- connectmail_claim_idem takes the idempotency row (op, token) for the
-- calling transaction. It is the transaction's first write: a concurrent
-- transaction with the same token waits in the INSERT until the first one
-- ends. When a committed row already exists it raises SQLSTATE CM001, which
-- aborts the transaction; the store then reads the stored row and answers
-- with its response (same hash) or an idempotency error (other hash).
CREATE FUNCTION connectmail_claim_idem(p_op text, p_token text, p_hash text, p_response bytea) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO idempotency(op, token, hash, response) VALUES (p_op, p_token, p_hash, p_response)
    ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'CM001', MESSAGE = 'idempotency record exists';
  END IF;
END
$$;
