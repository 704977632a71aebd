//! Observations: one OMH data point each, with its effective time projected
//! into indexed columns.

use sqlx::FromRow;

use super::StoreResult;
use crate::db::Conn;
use crate::on_conn;
use crate::time::Micros;

#[derive(Debug, Clone, FromRow)]
pub struct ObservationRow {
    pub id: i64,
    pub patient_id: i64,
    pub data_type_id: i64,
    pub data_source_id: Option<i64>,
    pub status: String,
    pub omh_data: String,
    pub effective_date_time: Option<Micros>,
    pub effective_period_start: Option<Micros>,
    pub effective_period_end: Option<Micros>,
    pub version_id: i64,
    pub last_updated: Micros,
}

/// When an observation was effective: a point in time or a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effective {
    None,
    At(Micros),
    Period { start: Option<Micros>, end: Option<Micros> },
}

pub struct NewObservation<'a> {
    pub patient_id: i64,
    pub data_type_id: i64,
    pub data_source_id: Option<i64>,
    pub status: &'a str,
    pub omh_data: &'a str,
    pub effective: Effective,
}

const COLUMNS: &str = "id, patient_id, data_type_id, data_source_id, status, omh_data, \
                       effective_date_time, effective_period_start, effective_period_end, version_id, last_updated";

impl Effective {
    /// `(effective_date_time, effective_period_start, effective_period_end)`.
    pub fn columns(self) -> (Option<Micros>, Option<Micros>, Option<Micros>) {
        match self {
            Effective::None => (None, None, None),
            Effective::At(t) => (Some(t), None, None),
            Effective::Period { start, end } => (None, start, end),
        }
    }
}

/// Rows per multi-row INSERT: well inside both engines' bind-parameter limits.
const INSERT_CHUNK: usize = 500;

/// Reserves `n` new observation ids, so that a multi-row insert knows which
/// id each row gets. On SQLite this relies on the write lock every
/// transaction takes at BEGIN.
async fn reserve_ids(conn: Conn<'_>, n: usize) -> StoreResult<Vec<i64>> {
    let count = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        Conn::Sqlite(c) => {
            let sql = "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'observations'), 0), \
                       COALESCE((SELECT MAX(id) FROM observations), 0))";
            let (last,): (i64,) = sqlx::query_as(sql).fetch_one(c).await?;
            Ok((last + 1..=last + count).collect())
        }
        Conn::Postgres(c) => {
            let sql = "SELECT nextval(pg_get_serial_sequence('observations', 'id')) FROM generate_series(1, $1)";
            let rows: Vec<(i64,)> = sqlx::query_as(sql).bind(count).fetch_all(c).await?;
            Ok(rows.into_iter().map(|(id,)| id).collect())
        }
    }
}

/// Stores observations with multi-row inserts; answers their ids, in order.
pub async fn insert_many(mut conn: Conn<'_>, new: &[NewObservation<'_>], now: Micros) -> StoreResult<Vec<i64>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let ids = reserve_ids(conn.reborrow(), new.len()).await?;
    for (rows, ids) in new.chunks(INSERT_CHUNK).zip(ids.chunks(INSERT_CHUNK)) {
        on_conn!(conn.reborrow(), c => {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO observations (id, patient_id, data_type_id, data_source_id, status, omh_data, \
                 effective_date_time, effective_period_start, effective_period_end, effective_start, last_updated) ",
            );
            query.push_values(rows.iter().zip(ids), |mut row, (o, id)| {
                let (at, start, end) = o.effective.columns();
                row.push_bind(*id).push_bind(o.patient_id).push_bind(o.data_type_id).push_bind(o.data_source_id)
                    .push_bind(o.status).push_bind(o.omh_data).push_bind(at).push_bind(start).push_bind(end)
                    .push_bind(at.or(start)).push_bind(now);
            });
            query.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(ids)
}

/// Stores one observation; answers its id.
pub async fn insert(conn: Conn<'_>, new: &NewObservation<'_>, now: Micros) -> StoreResult<i64> {
    let ids = insert_many(conn, std::slice::from_ref(new), now).await?;
    Ok(ids[0])
}

/// Removes observations (their identifiers go with them).
pub async fn delete_many(conn: Conn<'_>, ids: &[i64]) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    on_conn!(conn, c => {
        let mut query = sqlx::QueryBuilder::new("DELETE FROM observations WHERE id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build().execute(c).await.map(|_| ())
    })?;
    Ok(())
}

pub async fn by_id(conn: Conn<'_>, id: i64) -> StoreResult<Option<ObservationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM observations WHERE id = $1");
    Ok(on_conn!(conn, c => sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?)
}

pub async fn count(conn: Conn<'_>) -> StoreResult<i64> {
    let (n,): (i64,) = on_conn!(conn, c => sqlx::query_as("SELECT COUNT(*) FROM observations").fetch_one(c).await)?;
    Ok(n)
}

/// Stores identifiers `(observation id, system, value)`, skipping any that
/// an observation already holds; answers the `(system, value)` pairs stored.
pub async fn add_identifiers(mut conn: Conn<'_>, identifiers: &[(i64, &str, &str)]) -> StoreResult<Vec<(String, String)>> {
    let mut stored = Vec::with_capacity(identifiers.len());
    for chunk in identifiers.chunks(INSERT_CHUNK) {
        let rows: Vec<(String, String)> = on_conn!(conn.reborrow(), c => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO observation_identifiers (observation_id, system, value) ");
            query.push_values(chunk, |mut row, (id, system, value)| {
                row.push_bind(*id).push_bind(*system).push_bind(*value);
            });
            query.push(" ON CONFLICT (system, value) DO NOTHING RETURNING system, value");
            query.build_query_as().fetch_all(c).await
        })?;
        stored.extend(rows);
    }
    Ok(stored)
}

/// One row of the admin observation list, with its patient and data type.
#[derive(Debug, Clone, FromRow)]
pub struct ListedObservationRow {
    pub id: i64,
    pub patient_id: i64,
    pub name_family: Option<String>,
    pub name_given: Option<String>,
    pub user_id: Option<i64>,
    pub data_type_id: i64,
    pub coding_system: String,
    pub coding_code: String,
    pub text: String,
    pub last_updated: Micros,
    pub omh_data: String,
    pub data_source_name: Option<String>,
    pub effective_start: Option<Micros>,
}

/// What an observation list is narrowed by. `practitioner_id` applies the
/// consent gate: only observations of a data type the patient consented to
/// in a study of one of that practitioner's organizations that requests it.
#[derive(Debug, Clone, Default)]
pub struct ObservationFilter {
    pub practitioner_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub study_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub observation_id: Option<i64>,
    pub data_type_id: Option<i64>,
    /// Effective time at or after.
    pub effective_from: Option<Micros>,
    /// Effective time strictly before.
    pub effective_before: Option<Micros>,
    pub order: ListOrder,
}

/// The order of a list: the REST API's is JHE's (last uploaded first); the
/// console sorts by the time a reading was taken, or by patient or type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListOrder {
    #[default]
    Uploaded,
    EffectiveNewest,
    EffectiveOldest,
    Patient,
    DataType,
}

impl ListOrder {
    /// The `ORDER BY` terms; readings without an effective time go last.
    fn terms(self) -> &'static str {
        match self {
            ListOrder::Uploaded => "o.last_updated DESC, o.id DESC",
            ListOrder::EffectiveNewest => "o.effective_start IS NULL, o.effective_start DESC, o.id DESC",
            ListOrder::EffectiveOldest => "o.effective_start IS NULL, o.effective_start ASC, o.id ASC",
            ListOrder::Patient => "p.name_family, p.name_given, o.patient_id, o.effective_start IS NULL, o.effective_start DESC, o.id DESC",
            ListOrder::DataType => "t.text, o.data_type_id, o.effective_start IS NULL, o.effective_start DESC, o.id DESC",
        }
    }
}

/// The `(patient, data type)` pairs a practitioner may read: consented in a
/// study of one of their organizations that requests that data type.
/// `practitioner` is the placeholder bound to the practitioner's id.
fn consented_pairs(practitioner: &str) -> String {
    format!(
        "SELECT sp.patient_id, c.data_type_id FROM study_patients sp \
         JOIN studies s ON s.id = sp.study_id \
         JOIN practitioner_organizations po ON po.organization_id = s.organization_id \
         JOIN study_scope_requests r ON r.study_id = s.id \
         JOIN study_patient_scope_consents c ON c.study_patient_id = sp.id AND c.data_type_id = r.data_type_id \
         WHERE po.practitioner_id = {practitioner} AND c.consented"
    )
}

fn list_filter() -> String {
    format!(
        "FROM observations o JOIN patients p ON p.id = o.patient_id \
         JOIN data_types t ON t.id = o.data_type_id LEFT JOIN data_sources d ON d.id = o.data_source_id WHERE \
         ($1 IS NULL OR (o.patient_id, o.data_type_id) IN ({} AND ($2 IS NULL OR s.organization_id = $2) AND ($3 IS NULL OR s.id = $3))) \
         AND ($4 IS NULL OR o.patient_id = $4) AND ($5 IS NULL OR o.id = $5) AND ($6 IS NULL OR o.data_type_id = $6) \
         AND ($7 IS NULL OR o.effective_start >= $7) AND ($8 IS NULL OR o.effective_start < $8)",
        consented_pairs("$1")
    )
}

pub async fn count_listed(conn: Conn<'_>, filter: &ObservationFilter) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) {}", list_filter());
    let (n,): (i64,) = on_conn!(conn, c => sqlx::query_as(&sql)
        .bind(filter.practitioner_id).bind(filter.organization_id).bind(filter.study_id)
        .bind(filter.patient_id).bind(filter.observation_id).bind(filter.data_type_id)
        .bind(filter.effective_from).bind(filter.effective_before)
        .fetch_one(c).await)?;
    Ok(n)
}

/// One page, newest first.
pub async fn list(conn: Conn<'_>, filter: &ObservationFilter, offset: i64, limit: i64) -> StoreResult<Vec<ListedObservationRow>> {
    let sql = format!(
        "SELECT o.id, o.patient_id, p.name_family, p.name_given, p.user_id, o.data_type_id, t.coding_system, \
         t.coding_code, t.text, o.last_updated, o.omh_data, d.name AS data_source_name, o.effective_start \
         {} ORDER BY {} LIMIT $9 OFFSET $10",
        list_filter(),
        filter.order.terms()
    );
    Ok(on_conn!(conn, c => sqlx::query_as(&sql)
        .bind(filter.practitioner_id).bind(filter.organization_id).bind(filter.study_id)
        .bind(filter.patient_id).bind(filter.observation_id).bind(filter.data_type_id)
        .bind(filter.effective_from).bind(filter.effective_before).bind(limit).bind(offset)
        .fetch_all(c).await)?)
}

/// A value bound to a query built at run time.
#[derive(Debug, Clone)]
enum Bind {
    Int(i64),
    Text(String),
}

/// How a search compares a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// At or after.
    From(Micros),
    /// Strictly before.
    Before(Micros),
}

/// What FHIR search sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    LastUpdated,
    /// The effective time's start; observations without one sort first.
    Effective,
}

/// A FHIR search over observations, gated like [`ObservationFilter`].
#[derive(Debug, Clone)]
pub struct ObservationQuery {
    /// Consent gate for this practitioner (none: no gate, e.g. a patient's own data).
    pub practitioner_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub study_id: Option<i64>,
    /// Any of these data types (an empty list matches nothing).
    pub data_type_ids: Option<Vec<i64>>,
    pub observation_id: Option<i64>,
    /// The observation's identifier: optional system, value.
    pub identifier: Option<(Option<String>, String)>,
    pub effective: Vec<Bound>,
    pub last_updated: Vec<Bound>,
    pub sort: SortKey,
    pub descending: bool,
    /// Keyset cursor: continue after this `(sort key, id)`.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

/// An observation with what FHIR renders of its patient and data type.
#[derive(Debug, Clone, FromRow)]
pub struct FoundObservationRow {
    pub id: i64,
    pub patient_id: i64,
    pub user_id: Option<i64>,
    pub coding_system: String,
    pub coding_code: String,
    pub text: String,
    pub data_source_id: Option<i64>,
    pub status: String,
    pub omh_data: String,
    pub effective_date_time: Option<Micros>,
    pub effective_period_start: Option<Micros>,
    pub effective_period_end: Option<Micros>,
    pub version_id: i64,
    pub last_updated: Micros,
    /// The sort key this row was found by.
    pub sort_key: i64,
}

const EFFECTIVE_KEY: &str = "COALESCE(o.effective_start, -9223372036854775807)";

impl ObservationQuery {
    fn sort_expression(&self) -> &'static str {
        match self.sort {
            SortKey::LastUpdated => "o.last_updated",
            SortKey::Effective => EFFECTIVE_KEY,
        }
    }

    /// The WHERE clause (without the cursor) and its binds.
    fn filter(&self, binds: &mut Vec<Bind>) -> String {
        let mut push = |bind: Bind| {
            binds.push(bind);
            format!("${}", binds.len())
        };
        let mut clauses = vec!["1 = 1".to_owned()];
        if let Some(practitioner) = self.practitioner_id {
            let practitioner = push(Bind::Int(practitioner));
            let study = match self.study_id {
                Some(study) => format!(" AND s.id = {}", push(Bind::Int(study))),
                None => String::new(),
            };
            clauses.push(format!("(o.patient_id, o.data_type_id) IN ({}{study})", consented_pairs(&practitioner)));
        } else if let Some(study) = self.study_id {
            let study = push(Bind::Int(study));
            clauses.push(format!(
                "(o.patient_id, o.data_type_id) IN (SELECT sp.patient_id, r.data_type_id FROM study_patients sp \
                 JOIN study_scope_requests r ON r.study_id = sp.study_id WHERE sp.study_id = {study})"
            ));
        }
        if let Some(patient) = self.patient_id {
            clauses.push(format!("o.patient_id = {}", push(Bind::Int(patient))));
        }
        if let Some(ids) = &self.data_type_ids {
            if ids.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let list: Vec<String> = ids.iter().map(|id| push(Bind::Int(*id))).collect();
                clauses.push(format!("o.data_type_id IN ({})", list.join(", ")));
            }
        }
        if let Some(id) = self.observation_id {
            clauses.push(format!("o.id = {}", push(Bind::Int(id))));
        }
        if let Some((system, value)) = &self.identifier {
            let value = push(Bind::Text(value.clone()));
            let system = match system {
                Some(system) => format!(" AND i.system = {}", push(Bind::Text(system.clone()))),
                None => String::new(),
            };
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM observation_identifiers i WHERE i.observation_id = o.id AND i.value = {value}{system})"
            ));
        }
        for (column, bounds) in [(EFFECTIVE_KEY, &self.effective), ("o.last_updated", &self.last_updated)] {
            for bound in bounds {
                match bound {
                    Bound::From(at) => clauses.push(format!("{column} >= {}", push(Bind::Int(*at)))),
                    Bound::Before(at) => clauses.push(format!("{column} < {}", push(Bind::Int(*at)))),
                }
            }
        }
        // Observations with no effective time never match a date range.
        if !self.effective.is_empty() {
            clauses.push("o.effective_start IS NOT NULL".into());
        }
        clauses.join(" AND ")
    }
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.clone()),
            };
        }
        query
    }};
}

/// How many observations a search matches (ignoring its cursor and limit).
pub async fn count_search(conn: Conn<'_>, query: &ObservationQuery) -> StoreResult<i64> {
    let mut binds = Vec::new();
    let filter = query.filter(&mut binds);
    let sql = format!("SELECT COUNT(*) FROM observations o WHERE {filter}");
    let (n,): (i64,) = on_conn!(conn, c => bind_all!(sqlx::query_as(&sql), &binds).fetch_one(c).await)?;
    Ok(n)
}

/// One page of a search, in keyset order.
pub async fn search(conn: Conn<'_>, query: &ObservationQuery) -> StoreResult<Vec<FoundObservationRow>> {
    let mut binds = Vec::new();
    let filter = query.filter(&mut binds);
    let key = query.sort_expression();
    let (cmp, order) = if query.descending { ("<", "DESC") } else { (">", "ASC") };
    let cursor = match query.after {
        Some((value, id)) => {
            binds.push(Bind::Int(value));
            let v = binds.len();
            binds.push(Bind::Int(id));
            // The first comparison alone lets both engines seek the sort index.
            format!(" AND {key} {cmp}= ${v} AND ({key}, o.id) {cmp} (${v}, ${})", binds.len())
        }
        None => String::new(),
    };
    binds.push(Bind::Int(query.limit));
    let sql = format!(
        "SELECT o.id, o.patient_id, p.user_id, t.coding_system, t.coding_code, t.text, o.data_source_id, o.status, o.omh_data, \
         o.effective_date_time, o.effective_period_start, o.effective_period_end, o.version_id, o.last_updated, {key} AS sort_key \
         FROM observations o JOIN patients p ON p.id = o.patient_id JOIN data_types t ON t.id = o.data_type_id \
         WHERE {filter}{cursor} ORDER BY {key} {order}, o.id {order} LIMIT ${}",
        binds.len()
    );
    Ok(on_conn!(conn, c => bind_all!(sqlx::query_as(&sql), &binds).fetch_all(c).await)?)
}

/// `(observation id, system, value)` of the identifiers of these observations.
pub async fn identifiers_of(conn: Conn<'_>, observation_ids: &[i64]) -> StoreResult<Vec<(i64, String, String)>> {
    if observation_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Built with anonymous placeholders: SQLite looks a numbered one up by
    // walking all of them, which a page of a thousand ids makes quadratic.
    Ok(on_conn!(conn, c => {
        let mut query = sqlx::QueryBuilder::new("SELECT observation_id, system, value FROM observation_identifiers WHERE observation_id IN (");
        let mut list = query.separated(", ");
        for id in observation_ids {
            list.push_bind(*id);
        }
        query.push(") ORDER BY id");
        query.build_query_as().fetch_all(c).await
    })?)
}

/// An identifier already in use, with the observation (and its patient) holding it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct HeldIdentifier {
    pub system: String,
    pub value: String,
    pub observation_id: i64,
    pub patient_id: i64,
}

/// Of these `(system, value)` pairs, those already in use.
pub async fn existing_identifiers(mut conn: Conn<'_>, pairs: &[(&str, &str)]) -> StoreResult<Vec<HeldIdentifier>> {
    let mut found = Vec::new();
    for chunk in pairs.chunks(INSERT_CHUNK) {
        let rows: Vec<HeldIdentifier> = on_conn!(conn.reborrow(), c => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT i.system, i.value, i.observation_id, o.patient_id FROM observation_identifiers i \
                 JOIN observations o ON o.id = i.observation_id WHERE ",
            );
            let mut any = query.separated(" OR ");
            for (system, value) in chunk {
                any.push("(i.system = ").push_bind_unseparated(*system).push_unseparated(" AND i.value = ").push_bind_unseparated(*value).push_unseparated(")");
            }
            query.build_query_as().fetch_all(c).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}
