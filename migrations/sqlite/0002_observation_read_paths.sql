-- Read paths that walk observations in their sort order and stop after one
-- page, instead of sorting every match: FHIR search and the admin list sort
-- by last update (newest first) or by effective time, often within one data
-- type. The data-type index also serves the data type's delete check.
DROP INDEX observations_data_type;
CREATE INDEX observations_type_updated ON observations (data_type_id, last_updated, id);
CREATE INDEX observations_updated ON observations (last_updated, id);
CREATE INDEX observations_effective ON observations ((COALESCE(effective_start, -9223372036854775807)), id);
