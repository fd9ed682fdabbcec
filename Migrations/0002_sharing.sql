-- rdpvault schema 2: sharing with teammates. Shipped migrations are never edited.

-- This vault's identity: an X25519 key pair (bundles are sealed to it) and an Ed25519 key
-- pair (bundles are signed with it). Keys are boxes like every other field.
CREATE TABLE identity (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  next_sequence  INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  box_public     BLOB    NOT NULL,
  box_secret     BLOB    NOT NULL,
  sign_public    BLOB    NOT NULL,
  sign_secret    BLOB    NOT NULL
);

-- Pinned teammates: a name and an identity string.
CREATE TABLE teammates (
  id          INTEGER PRIMARY KEY,
  lookup      BLOB    NOT NULL UNIQUE,
  key_lookup  BLOB    NOT NULL UNIQUE,
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  name        BLOB    NOT NULL,
  identity    BLOB    NOT NULL
);

-- Replay and rollback protection: bundles already imported, and the highest sequence number
-- seen from each sender (both keyed by blind indexes).
CREATE TABLE seen_bundles (
  bundle_lookup BLOB    PRIMARY KEY,
  imported_at   INTEGER NOT NULL
);

CREATE TABLE sender_sequences (
  sender_lookup BLOB    PRIMARY KEY,
  last_sequence INTEGER NOT NULL
);
