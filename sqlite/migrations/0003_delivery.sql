CREATE TABLE cursors (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);

CREATE TABLE suppressions (
  address_lc TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  reason TEXT NOT NULL,
  contact_id TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL DEFAULT 0
);
