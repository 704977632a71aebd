"""jupyterhealth-client, unmodified, against a running jhe.

Run by python_client.rs with JHE_URL and JHE_TOKEN (Mary, a manager of
Lifespan Lab) set; exits non-zero with the failing assertion on any mismatch.
"""

import sys

from jupyterhealth_client import Code, JupyterHealthClient


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


client = JupyterHealthClient()

user = client.get_user()
check(user["id"] == 10002 and user["email"] == "mary@example.com", f"get_user: {user}")

patients = list(client.list_patients(organization_id=20003))
check([p["id"] for p in patients] == [40001, 40002], f"list_patients: {[p['id'] for p in patients]}")
in_study = list(client.list_patients(study_id=30002))
check(sorted(p["id"] for p in in_study) == [40001, 40002], f"list_patients(study_id): {in_study}")

peter = client.get_patient(40001)
check(peter["telecomEmail"] == "peter@example.com" and peter["nameGiven"] == "Peter", f"get_patient: {peter}")

consents = client.get_patient_consents(40001)
pending = [s["id"] for s in consents["studiesPendingConsent"]]
check(pending == [30002], f"get_patient_consents pending: {pending}")
answered = {s["id"]: [c["consented"] for c in s["scopeConsents"]] for s in consents["studies"]}
check(answered == {30001: [True, True, True]}, f"get_patient_consents answered: {answered}")

studies = list(client.list_studies(organization_id=20003))
check([s["name"] for s in studies] == ["Lifespan Study on BP", "Lifespan Study on BP & HR"], f"list_studies: {studies}")
study = client.get_study(30001)
check(study["organization"]["id"] == 20003 and study["description"] == "Blood Pressure & Heart Rate", f"get_study: {study}")

organizations = {o["id"]: o["name"] for o in client.list_organizations()}
check(organizations.get(20003) == "Lifespan Lab" and organizations.get(20008) == "Cosmic Cardio Lab", f"list_organizations: {organizations}")

sources = {s["name"]: [c["codingCode"] for c in s["supportedScopes"]] for s in client.list_data_sources()}
check(sources.get("CareX") == ["omh:blood-pressure:4.0", "omh:heart-rate:2.0"], f"list_data_sources: {sources}")

# 2,500 uploaded heart rates plus the seeded one, paged through FHIR.
observations = list(client.list_observations(patient_id=40002, code=Code.HEART_RATE, limit=None))
check(len(observations) == 2501, f"list_observations(patient_id, code): {len(observations)}")
check(len({o["id"] for o in observations}) == 2501, "list_observations returned duplicates")
in_study = list(client.list_observations(study_id=30001, limit=None))
check(len(in_study) == 2500 + 5, f"list_observations(study_id): {len(in_study)} (2,500 uploads and the 5 seeded for 30001)")

frame = client.list_observations_df(patient_id=40002, code=Code.HEART_RATE, limit=None)
check(len(frame) == 2501, f"list_observations_df rows: {len(frame)}")
check("heart_rate_value" in frame.columns, f"list_observations_df columns: {list(frame.columns)}")
values = set(frame["heart_rate_value"].astype(float))
check({50.0, 99.0} <= values, f"list_observations_df values: {sorted(values)[:5]}...")

print("jupyterhealth-client: all checks passed")
