CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  arn TEXT NOT NULL,
  alias TEXT NOT NULL DEFAULT '',
  identity_type TEXT NOT NULL,
  directory_id TEXT NOT NULL DEFAULT '',
  inbound INTEGER NOT NULL,
  outbound INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  tags TEXT
);
CREATE UNIQUE INDEX instances_alias ON instances(alias) WHERE alias <> '';

CREATE TABLE email_addresses (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  arn TEXT NOT NULL,
  address TEXT NOT NULL,
  address_lc TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  alias_of TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  tags TEXT
);
CREATE INDEX email_addresses_instance ON email_addresses(instance_id, created_at);

CREATE TABLE contacts (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  arn TEXT NOT NULL,
  channel TEXT NOT NULL,
  initiation_method TEXT NOT NULL,
  related_id TEXT NOT NULL DEFAULT '',
  previous_id TEXT NOT NULL DEFAULT '',
  initial_id TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  attributes TEXT,
  refs TEXT,
  segment TEXT,
  expiry_minutes INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  initiated_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  disconnected_at INTEGER NOT NULL DEFAULT 0,
  disconnect_reason TEXT NOT NULL DEFAULT '',
  from_addr TEXT NOT NULL DEFAULT '',
  from_name TEXT NOT NULL DEFAULT '',
  to_addr TEXT NOT NULL DEFAULT '',
  to_name TEXT NOT NULL DEFAULT '',
  to_list TEXT,
  cc TEXT,
  subject TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  template_ref TEXT NOT NULL DEFAULT '',
  not_interpolated TEXT,
  tags TEXT
);
CREATE INDEX contacts_instance ON contacts(instance_id, seq);

CREATE TABLE messages (
  contact_id TEXT PRIMARY KEY,
  envelope_from TEXT NOT NULL,
  recipients TEXT NOT NULL,
  raw BLOB NOT NULL
);

-- Pending delivery jobs. next_at is when the job is next due; a claimed job's
-- next_at is its lease expiry, so an abandoned lease makes it due again.
CREATE TABLE jobs (
  contact_id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  leased INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(next_at);

CREATE TABLE attempts (
  contact_id TEXT NOT NULL,
  n INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  code INTEGER NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (contact_id, n)
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  contact_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  type TEXT NOT NULL,
  time INTEGER NOT NULL,
  detail TEXT
);
CREATE INDEX events_contact ON events(contact_id, id);

CREATE TABLE idempotency (
  op TEXT NOT NULL,
  token TEXT NOT NULL,
  hash TEXT NOT NULL,
  response BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (op, token)
);
