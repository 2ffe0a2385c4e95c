//! Reading resources back: a row and its derived attribute (`members` or `groups`)
//! become the [`Resource`] the engine renders.

use std::collections::HashMap;

use scim_core::schema::{GROUP_SCHEMA, USER_SCHEMA};
use scim_core::store::{MemberRows, Retrieved, Version};
use scim_core::{Resource, ResourceType, StoreError};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{SqlStore, backend};
use crate::filter::Dialect;

/// What a resource type means to the store: Users and Groups take part in membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The core User schema: has derived `groups`.
    User,
    /// The core Group schema: has `members`, kept in `scim_members`.
    Group,
    /// Any other resource type.
    Other,
}

impl Kind {
    pub(crate) fn of(rt: &ResourceType) -> Self {
        if rt.schema.id.eq_ignore_ascii_case(USER_SCHEMA) {
            Self::User
        } else if rt.schema.id.eq_ignore_ascii_case(GROUP_SCHEMA) {
            Self::Group
        } else {
            Self::Other
        }
    }

    /// The attribute the store derives for this kind and keeps out of the document.
    pub(crate) fn derived_attribute(self) -> Option<&'static str> {
        match self {
            Self::User => Some("groups"),
            Self::Group => Some("members"),
            Self::Other => None,
        }
    }

    /// The `kind` column.
    pub(crate) fn column(self) -> Option<&'static str> {
        match self {
            Self::User => Some("User"),
            Self::Group => Some("Group"),
            Self::Other => None,
        }
    }
}

/// The columns a resource is rebuilt from, in the order [`Record::from_row`] reads,
/// of `scim_resources` aliased `r`.
pub(crate) fn record_columns(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "r.id, r.version, r.created, r.last_modified, r.doc::text",
        Dialect::Sqlite => "r.id, r.version, r.created, r.last_modified, r.doc",
    }
}

/// [`record_columns`] unqualified, for a `RETURNING` clause (SQLite's names the
/// table's columns only so).
pub(crate) fn returned_record_columns(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "id, version, created, last_modified, doc::text",
        Dialect::Sqlite => "id, version, created, last_modified, doc",
    }
}

/// A stored resource as read.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) version: i64,
    pub(crate) created: String,
    pub(crate) last_modified: String,
    pub(crate) doc: Map<String, Value>,
}

impl Record {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        let text: String = row.try_get(4).map_err(backend)?;
        let doc = match serde_json::from_str(&text) {
            Ok(Value::Object(doc)) => doc,
            Ok(_) => Map::new(),
            Err(e) => return Err(StoreError::Backend(Box::new(e))),
        };
        Ok(Self {
            id: row.try_get(0).map_err(backend)?,
            version: row.try_get(1).map_err(backend)?,
            created: row.try_get(2).map_err(backend)?,
            last_modified: row.try_get(3).map_err(backend)?,
            doc,
        })
    }

    /// The resource as returned: `schemas`, `id`, the document, the derived
    /// attribute, and `meta` (RFC 7643 §3.1; the engine adds `location`).
    pub(crate) fn into_resource(self, rt: &ResourceType, derived: Option<Vec<Value>>) -> Resource {
        let mut out = Map::with_capacity(self.doc.len() + 3);
        let mut attributes = self.doc.into_iter().peekable();
        if let Some((key, value)) = attributes.next_if(|(key, _)| key == "schemas") {
            out.insert(key, value);
        }
        out.insert("id".to_owned(), Value::String(self.id));
        out.extend(attributes);
        if let (Some(name), Some(values)) = (Kind::of(rt).derived_attribute(), derived) {
            // RFC 7643 §2.5: an empty list is unassigned.
            if !values.is_empty() {
                out.insert(name.to_owned(), Value::Array(values));
            }
        }
        let mut meta = Map::with_capacity(4);
        meta.insert("resourceType".to_owned(), Value::String(rt.name.clone()));
        meta.insert("created".to_owned(), Value::String(self.created));
        meta.insert("lastModified".to_owned(), Value::String(self.last_modified));
        meta.insert(
            "version".to_owned(),
            Value::String(version_tag(self.version)),
        );
        out.insert("meta".to_owned(), Value::Object(meta));
        Resource::new_unchecked(rt.name.as_str(), out)
    }
}

pub(crate) fn version_tag(version: i64) -> String {
    Version(u64::try_from(version).unwrap_or_default()).etag()
}

/// One element of `members` or `groups` (RFC 7643 §4.1.2, §4.2).
fn member_object(id: String, display: Option<String>, kind: String) -> Value {
    let mut object = Map::with_capacity(3);
    object.insert("value".to_owned(), Value::String(id));
    if let Some(display) = display {
        object.insert("display".to_owned(), Value::String(display));
    }
    object.insert("type".to_owned(), Value::String(kind));
    Value::Object(object)
}

/// The members of the groups `condition` selects (on `scim_members m`), in the order
/// they were added: group id, member id, `display` (the client's, else the member's
/// own), member type. The tenant is `$1`.
fn group_members_sql(dialect: Dialect, condition: &str) -> String {
    let seq = match dialect {
        Dialect::Postgres => "m.seq",
        Dialect::Sqlite => "m.rowid",
    };
    format!(
        "SELECT m.group_id, m.member_id, COALESCE(m.display, r.display), m.member_type \
         FROM scim_members m LEFT JOIN scim_resources r \
           ON r.tenant = m.tenant AND r.resource_type = m.member_type AND r.id = m.member_id \
         WHERE m.tenant = $1 AND {condition} ORDER BY {seq}"
    )
}

/// Ids per statement in `IN (...)` lists: well under SQLite's and PostgreSQL's
/// parameter limits.
pub(crate) const CHUNK: usize = 500;

/// `$first, $first+1, ...` for `n` parameters.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl SqlStore {
    /// One resource, with its derived attribute when `derived`.
    pub(crate) async fn load(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        derived: bool,
    ) -> Result<Resource, StoreError> {
        let sql = format!(
            "SELECT {} FROM scim_resources r WHERE r.tenant = $1 AND r.resource_type = $2 AND r.id = $3",
            record_columns(self.dialect)
        );
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(&rt.name)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        let record = Record::from_row(&row)?;
        let mut resources = self
            .materialize(conn, tenant, rt, vec![record], derived)
            .await?;
        resources
            .pop()
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })
    }

    /// Records as resources, with their derived attributes (one query per 500
    /// resources, not one per resource) when `derived`.
    pub(crate) async fn materialize(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        rt: &ResourceType,
        records: Vec<Record>,
        derived: bool,
    ) -> Result<Vec<Resource>, StoreError> {
        let kind = Kind::of(rt);
        let mut values = if derived && kind != Kind::Other {
            let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
            self.derived_values(conn, tenant, kind, &ids).await?
        } else {
            HashMap::new()
        };
        Ok(records
            .into_iter()
            .map(|record| {
                let derived = if derived && kind != Kind::Other {
                    Some(values.remove(&record.id).unwrap_or_default())
                } else {
                    None
                };
                record.into_resource(rt, derived)
            })
            .collect())
    }

    /// Adds the derived attribute `name` (`members` or `groups`) to resources read
    /// without it, before their `meta` as [`Record::into_resource`] places it.
    pub(crate) async fn add_derived(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        kind: Kind,
        name: &str,
        resources: &mut [Resource],
    ) -> Result<(), StoreError> {
        let ids: Vec<&str> = resources.iter().filter_map(Resource::id).collect();
        let mut values = self.derived_values(conn, tenant, kind, &ids).await?;
        for resource in resources {
            let Some(list) = resource.id().and_then(|id| values.remove(id)) else {
                continue;
            };
            // RFC 7643 §2.5: an empty list is unassigned.
            if list.is_empty() {
                continue;
            }
            let attributes = resource.attributes_mut();
            let meta = attributes.shift_remove("meta");
            attributes.insert(name.to_owned(), Value::Array(list));
            if let Some(meta) = meta {
                attributes.insert("meta".to_owned(), meta);
            }
        }
        Ok(())
    }

    /// One resource for a response, with its derived attribute when `derived`: a
    /// Group's members as rows read straight into [`MemberRows`], no JSON object per
    /// member.
    pub(crate) async fn retrieve_resource(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        derived: bool,
    ) -> Result<Retrieved, StoreError> {
        if !(derived && Kind::of(rt) == Kind::Group) {
            return Ok(Retrieved::from(
                self.load(conn, tenant, rt, id, derived).await?,
            ));
        }
        let resource = self.load(conn, tenant, rt, id, false).await?;
        let sql = group_members_sql(self.dialect, "m.group_id = $2");
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend)?;
        let mut members = MemberRows::with_capacity(rows.len());
        for row in &rows {
            let value: String = row.try_get(1).map_err(backend)?;
            let display: Option<String> = row.try_get(2).map_err(backend)?;
            let kind: String = row.try_get(3).map_err(backend)?;
            members.push(&value, Some(&kind), display.as_deref());
        }
        Ok(Retrieved::with_members(resource, members))
    }

    /// A Group's `members` (in the order they were added) or a User's `groups` (in
    /// the order the groups were created), for each id.
    async fn derived_values(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        kind: Kind,
        ids: &[&str],
    ) -> Result<HashMap<String, Vec<Value>>, StoreError> {
        let seq = |alias: &str| match self.dialect {
            Dialect::Postgres => format!("{alias}.seq"),
            Dialect::Sqlite => format!("{alias}.rowid"),
        };
        let mut out: HashMap<String, Vec<Value>> = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let list = placeholders(2, chunk.len());
            let sql = match kind {
                Kind::Group => group_members_sql(self.dialect, &format!("m.group_id IN ({list})")),
                _ => format!(
                    "SELECT m.member_id, g.id, g.display, 'direct' \
                     FROM scim_members m JOIN scim_resources g \
                       ON g.tenant = m.tenant AND g.kind = 'Group' AND g.id = m.group_id \
                     WHERE m.tenant = $1 AND m.member_id IN ({list}) ORDER BY {}",
                    seq("g")
                ),
            };
            let mut query = sqlx::query(&sql).bind(tenant);
            for id in chunk {
                query = query.bind(*id);
            }
            let rows = query.fetch_all(&mut *conn).await.map_err(backend)?;
            for row in rows {
                let owner: String = row.try_get(0).map_err(backend)?;
                let value: String = row.try_get(1).map_err(backend)?;
                let display: Option<String> = row.try_get(2).map_err(backend)?;
                let kind: String = row.try_get(3).map_err(backend)?;
                out.entry(owner)
                    .or_default()
                    .push(member_object(value, display, kind));
            }
        }
        Ok(out)
    }
}
