-- Version 5: facts about the database itself, made once, when the database
-- is created or first upgraded to this version. database_id is random and
-- public: the ids of the events of this database derive from it, so that two
-- databases never give two events the same id. url_key is random and secret:
-- it signs the expiring URLs the server hands out (template attachments).
CREATE TABLE meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO meta(name, value) VALUES
  ('database_id', lower(hex(randomblob(16)))),
  ('url_key', lower(hex(randomblob(32))));
