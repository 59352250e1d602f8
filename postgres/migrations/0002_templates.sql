-- Version 2: Amazon Q in Connect knowledge bases of message templates,
-- templates, their versions (0 is $LATEST) and attachments.
CREATE TABLE q_knowledge_bases (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  region text NOT NULL,
  arn text NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  kb_type text NOT NULL,
  status text NOT NULL,
  kms_key_id text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  content_modified_at timestamptz NOT NULL,
  tags jsonb
);
CREATE UNIQUE INDEX q_knowledge_bases_name ON q_knowledge_bases(region, name);

CREATE TABLE q_templates (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  kb_id text NOT NULL REFERENCES q_knowledge_bases(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  channel_subtype text NOT NULL,
  grouping jsonb,
  tags jsonb,
  created_at timestamptz NOT NULL,
  active_version bigint NOT NULL DEFAULT 0,
  last_version bigint NOT NULL DEFAULT 0,
  revision bigint NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX q_templates_name ON q_templates(kb_id, name);

CREATE TABLE q_template_versions (
  template_id text NOT NULL REFERENCES q_templates(id) ON DELETE CASCADE,
  version bigint NOT NULL,
  -- Content keeps the JSON text as written (json, not jsonb).
  content json,
  language text NOT NULL DEFAULT '',
  default_attributes json,
  sha256 text NOT NULL,
  modified_at timestamptz NOT NULL,
  modified_by text NOT NULL,
  PRIMARY KEY (template_id, version)
);

-- Attachment files, shared by the versions that carry them; a file no
-- version refers to any more is deleted.
CREATE TABLE q_attachment_files (
  id text PRIMARY KEY,
  name text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL,
  uploaded_at timestamptz NOT NULL,
  data bytea NOT NULL
);

CREATE TABLE q_template_attachments (
  template_id text NOT NULL,
  version bigint NOT NULL,
  attachment_id text NOT NULL REFERENCES q_attachment_files(id),
  pos integer NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (template_id, version, attachment_id),
  FOREIGN KEY (template_id, version) REFERENCES q_template_versions(template_id, version) ON DELETE CASCADE
);
CREATE UNIQUE INDEX q_template_attachments_name ON q_template_attachments(template_id, version, name);
CREATE INDEX q_template_attachments_file ON q_template_attachments(attachment_id);
