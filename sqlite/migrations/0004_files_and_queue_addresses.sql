-- Attached files (StartAttachedFileUpload): metadata and, once uploaded, data.
CREATE TABLE attached_files (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  arn TEXT NOT NULL,
  resource_arn TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  use_case TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by_user TEXT NOT NULL DEFAULT '',
  created_by_identity TEXT NOT NULL DEFAULT '',
  tags TEXT,
  data BLOB
);
CREATE INDEX attached_files_resource ON attached_files(instance_id, resource_arn, created_at);

-- Email addresses linked to queues. Queues are implicit: a queue exists as
-- soon as an address is linked to it.
CREATE TABLE queue_email_addresses (
  instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
  queue_id TEXT NOT NULL,
  email_address_id TEXT NOT NULL,
  pos INTEGER NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  modified_at INTEGER NOT NULL,
  PRIMARY KEY (instance_id, queue_id, email_address_id)
);
CREATE INDEX queue_email_addresses_order ON queue_email_addresses(instance_id, queue_id, pos);
