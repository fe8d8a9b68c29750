-- Declared models and swap groups (issue 16). One row per declaration; its fields are the JSON of
-- what the config file or the API wrote. origin says where it came from: the config file wins for
-- the models it names, and only API declarations can be changed through the API.

CREATE TABLE declared_models (
    id          VARCHAR(160)   NOT NULL PRIMARY KEY,
    kind        VARCHAR(8)     NOT NULL,
    name        VARCHAR(128)   NOT NULL,
    origin      VARCHAR(8)     NOT NULL,
    fields      VARCHAR(65536) NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT declared_models_kind_check CHECK (kind IN ('model', 'group')),
    CONSTRAINT declared_models_origin_check CHECK (origin IN ('file', 'api')),
    CONSTRAINT declared_models_name_unique UNIQUE (kind, name)
);
