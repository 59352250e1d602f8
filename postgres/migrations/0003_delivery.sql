-- Version 3: webhook positions in the event log and the suppression list.
CREATE TABLE cursors (
  name text PRIMARY KEY,
  position bigint NOT NULL
);

CREATE TABLE suppressions (
  address_lc text COLLATE "C" PRIMARY KEY,
  address text NOT NULL,
  reason text NOT NULL,
  contact_id text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  expires_at timestamptz
);
