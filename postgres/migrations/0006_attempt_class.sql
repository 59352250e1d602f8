-- Version 6: delivery attempts say whether they failed because of how the
-- relay is configured ('config': its TLS certificate is not trusted, the
-- credentials are refused); '' otherwise.
ALTER TABLE attempts ADD COLUMN class text NOT NULL DEFAULT '';
