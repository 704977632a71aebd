-- jhe schema (SQLite). Kept in step with ../postgres/0001_schema.sql.
-- Times are BIGINT microseconds since the Unix epoch (UTC), so that ranges,
-- indexes and keyset cursors behave the same on both backends.
-- Ids follow JHE's ranges: each AUTOINCREMENT table's sequence is primed below.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    user_type TEXT CHECK (user_type IN ('patient', 'practitioner')),
    is_superuser BOOLEAN NOT NULL DEFAULT FALSE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    identifier TEXT NOT NULL DEFAULT '',
    last_login BIGINT,
    date_joined BIGINT NOT NULL
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('root', 'prov', 'dept', 'team', 'govt', 'ins', 'pay', 'edu',
        'reli', 'crs', 'cg', 'bus', 'other', 'laboratory', 'imaging', 'pharmacy',
        'health-information-network', 'health-data-aggregator')),
    part_of_id BIGINT REFERENCES organizations (id) ON DELETE CASCADE,
    last_updated BIGINT NOT NULL
);
CREATE INDEX organizations_part_of ON organizations (part_of_id);

CREATE TABLE practitioners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    identifier TEXT,
    name_family TEXT,
    name_given TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    last_updated BIGINT NOT NULL
);

CREATE TABLE practitioner_organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    practitioner_id BIGINT NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('manager', 'member', 'viewer')),
    UNIQUE (practitioner_id, organization_id)
);
CREATE INDEX practitioner_organizations_organization ON practitioner_organizations (organization_id);

CREATE TABLE patients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    name_family TEXT,
    name_given TEXT,
    birth_date TEXT,
    telecom_phone TEXT,
    last_updated BIGINT NOT NULL
);

CREATE TABLE patient_organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    UNIQUE (patient_id, organization_id)
);
CREATE INDEX patient_organizations_organization ON patient_organizations (organization_id);

CREATE TABLE patient_identifiers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    system TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (system, value)
);
CREATE INDEX patient_identifiers_patient ON patient_identifiers (patient_id);

-- Data types: the coded scopes a study requests and a patient consents to.
-- json_schema holds the schema of a custom type; built-in OMH/IEEE types
-- resolve theirs from the registry shipped in data/.
CREATE TABLE data_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    coding_system TEXT NOT NULL,
    coding_code TEXT NOT NULL,
    text TEXT NOT NULL,
    json_schema TEXT,
    last_updated BIGINT NOT NULL,
    UNIQUE (coding_system, coding_code)
);

CREATE TABLE data_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'personal_device'
        CHECK (type IN ('personal_device', 'medical_device', 'patient_app')),
    last_updated BIGINT NOT NULL
);

CREATE TABLE data_source_supported_scopes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    data_source_id BIGINT NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
    data_type_id BIGINT NOT NULL REFERENCES data_types (id) ON DELETE RESTRICT,
    UNIQUE (data_source_id, data_type_id)
);
CREATE INDEX data_source_supported_scopes_type ON data_source_supported_scopes (data_type_id);

CREATE TABLE studies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    icon_url TEXT,
    last_updated BIGINT NOT NULL
);
CREATE INDEX studies_organization ON studies (organization_id);

CREATE TABLE study_data_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id BIGINT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    data_source_id BIGINT NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
    UNIQUE (study_id, data_source_id)
);
CREATE INDEX study_data_sources_source ON study_data_sources (data_source_id);

CREATE TABLE study_scope_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id BIGINT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    data_type_id BIGINT NOT NULL REFERENCES data_types (id) ON DELETE RESTRICT,
    scope_actions TEXT NOT NULL DEFAULT 'rs',
    UNIQUE (study_id, data_type_id)
);
CREATE INDEX study_scope_requests_type ON study_scope_requests (data_type_id);

CREATE TABLE study_patients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id BIGINT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    patient_id BIGINT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    UNIQUE (study_id, patient_id)
);
CREATE INDEX study_patients_patient ON study_patients (patient_id);

CREATE TABLE study_patient_scope_consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_patient_id BIGINT NOT NULL REFERENCES study_patients (id) ON DELETE CASCADE,
    data_type_id BIGINT NOT NULL REFERENCES data_types (id) ON DELETE RESTRICT,
    consented BOOLEAN NOT NULL,
    consented_time BIGINT NOT NULL,
    scope_actions TEXT NOT NULL DEFAULT 'rs',
    UNIQUE (study_patient_id, data_type_id)
);
CREATE INDEX study_patient_scope_consents_type ON study_patient_scope_consents (data_type_id);

-- Observations hold one OMH data point each. effective_start is the start of
-- the effective time (the date-time, or the period's start): the sort and
-- range key of searches.
CREATE TABLE observations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    data_type_id BIGINT NOT NULL REFERENCES data_types (id) ON DELETE RESTRICT,
    data_source_id BIGINT REFERENCES data_sources (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'final' CHECK (status IN ('registered', 'preliminary', 'final',
        'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown')),
    omh_data TEXT NOT NULL,
    effective_date_time BIGINT,
    effective_period_start BIGINT,
    effective_period_end BIGINT,
    effective_start BIGINT,
    version_id BIGINT NOT NULL DEFAULT 1,
    last_updated BIGINT NOT NULL
);
CREATE INDEX observations_patient_type_effective ON observations (patient_id, data_type_id, effective_start, id);
CREATE INDEX observations_patient_updated ON observations (patient_id, last_updated, id);
CREATE INDEX observations_data_source ON observations (data_source_id);
CREATE INDEX observations_data_type ON observations (data_type_id);

CREATE TABLE observation_identifiers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    observation_id BIGINT NOT NULL REFERENCES observations (id) ON DELETE CASCADE,
    system TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (system, value)
);
CREATE INDEX observation_identifiers_observation ON observation_identifiers (observation_id);

-- OAuth clients. A row with invitation_url set is a patient client (JHE's JheClient).
CREATE TABLE oauth_clients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    client_type TEXT NOT NULL CHECK (client_type IN ('public', 'confidential')),
    grant_type TEXT NOT NULL CHECK (grant_type IN ('authorization-code', 'client-credentials')),
    client_secret_hash TEXT,
    redirect_uris TEXT NOT NULL DEFAULT '',
    skip_authorization BOOLEAN NOT NULL DEFAULT FALSE,
    owner_user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    invitation_url TEXT,
    aux_data TEXT,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL
);

CREATE TABLE client_data_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    data_source_id BIGINT NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
    UNIQUE (client_id, data_source_id)
);

CREATE TABLE study_clients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id BIGINT NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    client_id BIGINT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    UNIQUE (study_id, client_id)
);

-- A practitioner's own client-credentials key.
CREATE TABLE practitioner_clients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL UNIQUE REFERENCES oauth_clients (id) ON DELETE CASCADE,
    practitioner_id BIGINT NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
    label TEXT NOT NULL DEFAULT ''
);

-- Authorization codes; only a hash of each code is kept.
CREATE TABLE oauth_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash TEXT NOT NULL UNIQUE,
    client_id BIGINT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    code_challenge TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    nonce TEXT,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    used BIGINT
);

-- Access and refresh tokens; only a hash of each token is kept.
CREATE TABLE oauth_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    client_id BIGINT REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope TEXT NOT NULL DEFAULT '',
    access_token_id BIGINT REFERENCES oauth_tokens (id) ON DELETE SET NULL,
    -- The authorization code the token came from: a replayed code revokes them.
    grant_id BIGINT REFERENCES oauth_grants (id) ON DELETE SET NULL,
    created BIGINT NOT NULL,
    expires BIGINT,
    revoked BIGINT
);
CREATE INDEX oauth_tokens_user ON oauth_tokens (user_id);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);

-- Failed sign-ins per account and per address, to slow down guessing
-- (kept in the database so every replica sees the same count).
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    first_failure BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE TABLE patient_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id BIGINT NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    client_id BIGINT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('issued', 'reissued', 'redeemed', 'cancelled', 'expired')),
    created_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    redeemed BIGINT,
    last_updated BIGINT NOT NULL
);
CREATE INDEX patient_invitations_patient ON patient_invitations (patient_id);

-- Browser sessions, shared by every replica (shape used by tower-sessions' SQLite store).
CREATE TABLE tower_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);

-- RSA keys that sign ID tokens; kid is the key's JWK thumbprint.
CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kid TEXT NOT NULL UNIQUE,
    algorithm TEXT NOT NULL DEFAULT 'RS256',
    private_key_pem TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created BIGINT NOT NULL
);

CREATE TABLE settings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    value_type TEXT NOT NULL CHECK (value_type IN ('string', 'int', 'bool', 'float', 'json')),
    value_string TEXT,
    value_int BIGINT,
    value_bool BOOLEAN,
    value_float DOUBLE PRECISION,
    value_json TEXT,
    last_updated BIGINT NOT NULL
);

-- Who did what to which record, and when. actor_user_id and patient_id are
-- plain numbers, not foreign keys: the trail outlives the rows it names.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred BIGINT NOT NULL,
    actor_user_id BIGINT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    patient_id BIGINT,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_occurred ON audit_events (occurred, id);
CREATE INDEX audit_events_patient ON audit_events (patient_id, occurred);

-- JHE's id ranges.
INSERT INTO sqlite_sequence (name, seq) VALUES
    ('users', 10000), ('organizations', 20000), ('studies', 30000), ('patients', 40000),
    ('data_types', 50000), ('observations', 60000), ('data_sources', 70000),
    ('practitioners', 80000), ('patient_invitations', 100);

-- The root of the organization tree always exists and has id 0.
INSERT INTO organizations (id, name, type, part_of_id, last_updated)
VALUES (0, 'ROOT', 'root', NULL, 0);
