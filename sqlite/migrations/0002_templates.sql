-- Amazon Q in Connect: knowledge bases of message templates, templates,
-- their versions (0 is $LATEST) and attachments.
CREATE TABLE q_knowledge_bases (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  region TEXT NOT NULL,
  arn TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  kb_type TEXT NOT NULL,
  status TEXT NOT NULL,
  kms_key_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  content_modified_at INTEGER NOT NULL,
  tags TEXT
);
CREATE UNIQUE INDEX q_knowledge_bases_name ON q_knowledge_bases(region, name);

CREATE TABLE q_templates (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kb_id TEXT NOT NULL REFERENCES q_knowledge_bases(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  channel_subtype TEXT NOT NULL,
  grouping TEXT,
  tags TEXT,
  created_at INTEGER NOT NULL,
  active_version INTEGER NOT NULL DEFAULT 0,
  last_version INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX q_templates_name ON q_templates(kb_id, name);

CREATE TABLE q_template_versions (
  template_id TEXT NOT NULL REFERENCES q_templates(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  content TEXT,
  language TEXT NOT NULL DEFAULT '',
  default_attributes TEXT,
  sha256 TEXT NOT NULL,
  modified_at INTEGER NOT NULL,
  modified_by TEXT NOT NULL,
  PRIMARY KEY (template_id, version)
);

-- Attachment files, shared by the versions that carry them; a file no
-- version refers to any more is deleted.
CREATE TABLE q_attachment_files (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  data BLOB NOT NULL
);

CREATE TABLE q_template_attachments (
  template_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  attachment_id TEXT NOT NULL REFERENCES q_attachment_files(id),
  pos INTEGER NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (template_id, version, attachment_id),
  FOREIGN KEY (template_id, version) REFERENCES q_template_versions(template_id, version) ON DELETE CASCADE
);
CREATE UNIQUE INDEX q_template_attachments_name ON q_template_attachments(template_id, version, name);
CREATE INDEX q_template_attachments_file ON q_template_attachments(attachment_id);
