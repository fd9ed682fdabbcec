-- rdpvault schema 1. Shipped migrations are never edited; add a new numbered file instead.
-- Only opaque ids, version counters, timestamps, blind indexes and the KDF header are clear.
-- Every other column holds an XChaCha20-Poly1305 box bound to (vault, table, row id, column).

CREATE TABLE vault_header (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  format_version INTEGER NOT NULL,
  vault_id       BLOB    NOT NULL CHECK (length(vault_id) = 16),
  kdf_algorithm  TEXT    NOT NULL,
  kdf_opslimit   INTEGER NOT NULL,
  kdf_memlimit   INTEGER NOT NULL,
  kdf_salt       BLOB    NOT NULL,
  wrapped_key    BLOB    NOT NULL,
  key_version    INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);

CREATE TABLE accounts (
  id           INTEGER PRIMARY KEY,
  lookup       BLOB    NOT NULL,
  version      INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  scope        BLOB    NOT NULL,
  user_name    BLOB    NOT NULL,
  domain       BLOB    NOT NULL,
  sign_in_form BLOB    NOT NULL,
  domain_admin BLOB    NOT NULL
);
CREATE INDEX accounts_lookup ON accounts(lookup);

-- Passwords live apart from the metadata, so listing never touches them.
CREATE TABLE account_secrets (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  password   BLOB    NOT NULL
);

CREATE TABLE profiles (
  id             INTEGER PRIMARY KEY,
  lookup         BLOB    NOT NULL UNIQUE,
  account_id     INTEGER NOT NULL REFERENCES accounts(id),
  version        INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  name           BLOB    NOT NULL,
  kind           BLOB    NOT NULL,
  host           BLOB    NOT NULL,
  port           BLOB    NOT NULL,
  computer_name  BLOB    NOT NULL,
  resource_group BLOB    NOT NULL,
  subscription   BLOB    NOT NULL,
  tags           BLOB    NOT NULL,
  note           BLOB    NOT NULL,
  settings       BLOB    NOT NULL
);
CREATE INDEX profiles_account ON profiles(account_id);
