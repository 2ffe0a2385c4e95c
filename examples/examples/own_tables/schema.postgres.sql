-- The app's own tables on PostgreSQL (schema.sqlite.sql: the same on SQLite). `email_folded` is
-- fold_case(email), the uniqueness key of userName; `name_folded` the same for a team's displayName.
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  email TEXT NOT NULL, email_folded TEXT NOT NULL,
  contact_email TEXT, contact_email_type TEXT,
  first_name TEXT, last_name TEXT, is_active BOOLEAN NOT NULL DEFAULT TRUE, external_id TEXT,
  version BIGINT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  UNIQUE (tenant_id, email_folded));
CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, name_folded TEXT NOT NULL,
  external_id TEXT, version BIGINT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  UNIQUE (tenant_id, name_folded));
CREATE TABLE IF NOT EXISTS team_members (
  team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (team_id, user_id));
CREATE INDEX IF NOT EXISTS team_members_user ON team_members (user_id);
