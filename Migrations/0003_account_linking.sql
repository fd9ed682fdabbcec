-- rdpvault schema 3: accounts that are not linked by name. Shipped migrations are never edited.
-- A domain account that came from outside (a bundle, an .rdp file) whose sign-in name matches
-- one the user already has is kept apart unless the user consents to the link. `links_by_name`
-- is a box holding "1" or "0", bound like every other field; NULL (every account stored
-- before this migration) means "1": the user's own accounts stay linkable.
ALTER TABLE accounts ADD COLUMN links_by_name BLOB;
