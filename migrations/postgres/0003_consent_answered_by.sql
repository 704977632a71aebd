-- Who gave each consent answer: the patient, or a practitioner on their
-- behalf. Answers given before this column existed have none.
ALTER TABLE study_patient_scope_consents ADD COLUMN consented_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
