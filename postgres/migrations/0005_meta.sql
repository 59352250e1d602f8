-- Version 5: facts about the database itself, made once, when the database
-- is created or first upgraded to this version. database_id is random and
-- public: the ids of the events of this database derive from it, so that two
-- databases never give two events the same id. url_key is random and secret:
-- it signs the expiring URLs the server hands out (template attachments).
-- gen_random_uuid draws from the server's strong random source; md5 spreads
-- its 122 random bits over every hex digit.
CREATE TABLE meta (
  name text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO meta(name, value) VALUES
  ('database_id', md5(gen_random_uuid()::text)),
  ('url_key', md5(gen_random_uuid()::text) || md5(gen_random_uuid()::text));
