-- Version 4: attached files (StartAttachedFileUpload) — metadata and, once
-- uploaded, data — and the email addresses linked to queues. Queues are
-- implicit: a queue exists as soon as an address is linked to it.
CREATE TABLE attached_files (
  id text PRIMARY KEY,
  instance_id text NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  arn text NOT NULL,
  resource_arn text NOT NULL,
  name text NOT NULL,
  size bigint NOT NULL,
  use_case text NOT NULL,
  content_type text NOT NULL DEFAULT '',
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  created_by_user text NOT NULL DEFAULT '',
  created_by_identity text NOT NULL DEFAULT '',
  tags jsonb,
  data bytea
);
CREATE INDEX attached_files_resource ON attached_files(instance_id, resource_arn, created_at);

CREATE TABLE queue_email_addresses (
  instance_id text NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  queue_id text COLLATE "C" NOT NULL,
  email_address_id text NOT NULL,
  pos integer NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  modified_at timestamptz NOT NULL,
  PRIMARY KEY (instance_id, queue_id, email_address_id)
);
CREATE INDEX queue_email_addresses_order ON queue_email_addresses(instance_id, queue_id, pos);
