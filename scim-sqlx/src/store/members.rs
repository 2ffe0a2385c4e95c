//! Group membership in `scim_members`: resolving member references, adding and
//! removing rows, and advancing the versions of the resources a change touches.

use std::collections::{HashMap, HashSet};

use scim_core::StoreError;
use scim_core::store::UnknownMembers;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::read::{CHUNK, placeholders};
use super::{SqlStore, backend};

/// A member reference checked against the tenant: id, resource type name, the
/// `display` the client sent.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedMember {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) display: Option<String>,
}

impl SqlStore {
    /// Checks member references: each must be an object whose `value` is the id of a
    /// User or Group of this tenant; unknown ids are an error or dropped, as
    /// configured. Duplicates keep their first occurrence.
    pub(crate) async fn resolve_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        members: &[Value],
    ) -> Result<Vec<ResolvedMember>, StoreError> {
        let mut wanted: Vec<(String, Option<String>)> = Vec::with_capacity(members.len());
        let mut seen = HashSet::with_capacity(members.len());
        for member in members {
            let Some(object) = member.as_object() else {
                return Err(StoreError::Invalid(
                    "each member must be an object with a \"value\"".to_owned(),
                ));
            };
            let field = |name: &str| {
                object
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .and_then(|(_, v)| v.as_str())
            };
            let Some(id) = field("value") else {
                return Err(StoreError::Invalid(
                    "each member must have a string \"value\"".to_owned(),
                ));
            };
            if seen.insert(id.to_owned()) {
                let display = field("display")
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned);
                wanted.push((id.to_owned(), display));
            }
        }
        let mut kinds: HashMap<String, String> = HashMap::with_capacity(wanted.len());
        for chunk in wanted.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, resource_type FROM scim_resources \
                 WHERE tenant = $1 AND kind IS NOT NULL AND id IN ({})",
                placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant);
            for (id, _) in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&mut *conn).await.map_err(backend)? {
                let id: String = row.try_get(0).map_err(backend)?;
                let kind: String = row.try_get(1).map_err(backend)?;
                kinds.insert(id, kind);
            }
        }
        let mut resolved = Vec::with_capacity(wanted.len());
        for (id, display) in wanted {
            match kinds.remove(&id) {
                Some(kind) => resolved.push(ResolvedMember { id, kind, display }),
                // Unknown ids are dropped silently when so configured.
                None if self.settings.unknown_members == UnknownMembers::Reject => {
                    return Err(StoreError::Invalid(format!(
                        "member {id:?} is not a User or Group of this tenant"
                    )));
                }
                None => {}
            }
        }
        Ok(resolved)
    }

    /// Adds members to a group, a few hundred rows per statement; members already in it
    /// keep their place. Returns the ids added, whose versions the caller advances
    /// (with [`SqlStore::touch`], once for everything the write changed).
    pub(crate) async fn add_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[ResolvedMember],
    ) -> Result<Vec<String>, StoreError> {
        let mut added = Vec::new();
        // Three parameters a row, after the tenant and the group.
        for chunk in members.chunks(CHUNK / 3) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let k = 3 + 3 * i;
                    format!("($1, $2, ${k}, ${}, ${})", k + 1, k + 2)
                })
                .collect();
            let sql = format!(
                "INSERT INTO scim_members (tenant, group_id, member_id, member_type, display) \
                 VALUES {} ON CONFLICT DO NOTHING RETURNING member_id",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(tenant).bind(group);
            for member in chunk {
                query = query
                    .bind(member.id.as_str())
                    .bind(member.kind.as_str())
                    .bind(member.display.as_deref());
            }
            for row in query.fetch_all(&mut *conn).await.map_err(backend)? {
                added.push(row.try_get::<String, _>(0).map_err(backend)?);
            }
        }
        Ok(added)
    }

    /// Removes members from a group, a few hundred per statement. Returns the ids
    /// removed, whose versions the caller advances.
    pub(crate) async fn remove_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[&str],
    ) -> Result<Vec<String>, StoreError> {
        let mut removed = Vec::new();
        for chunk in members.chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM scim_members WHERE tenant = $1 AND group_id = $2 \
                 AND member_id IN ({}) RETURNING member_id",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant).bind(group);
            for member in chunk {
                query = query.bind(*member);
            }
            for row in query.fetch_all(&mut *conn).await.map_err(backend)? {
                removed.push(row.try_get::<String, _>(0).map_err(backend)?);
            }
        }
        Ok(removed)
    }

    /// Makes `members` the whole member list of `group`: members already present keep
    /// their place, the others are removed or added. Returns the ids added or removed.
    pub(crate) async fn set_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[ResolvedMember],
    ) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT member_id FROM scim_members WHERE tenant = $1 AND group_id = $2")
                .bind(tenant)
                .bind(group)
                .fetch_all(&mut *conn)
                .await
                .map_err(backend)?;
        let mut current = HashSet::with_capacity(rows.len());
        for row in rows {
            current.insert(row.try_get::<String, _>(0).map_err(backend)?);
        }
        let wanted: HashSet<&str> = members.iter().map(|m| m.id.as_str()).collect();
        let gone: Vec<&str> = current
            .iter()
            .map(String::as_str)
            .filter(|id| !wanted.contains(id))
            .collect();
        let mut changed = self.remove_members(conn, tenant, group, &gone).await?;
        let new: Vec<ResolvedMember> = members
            .iter()
            .filter(|m| !current.contains(&m.id))
            .cloned()
            .collect();
        changed.extend(self.add_members(conn, tenant, group, &new).await?);
        Ok(changed)
    }

    /// Advances the version and `meta.lastModified` of Users and Groups by id: their
    /// derived `groups` or `members` changed.
    pub(crate) async fn touch(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        ids: &[&str],
        now: &str,
    ) -> Result<(), StoreError> {
        // One order for every writer, so that two of them lock rows alike.
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "UPDATE scim_resources SET version = version + 1, last_modified = $2 \
                 WHERE tenant = $1 AND kind IS NOT NULL AND id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant).bind(now);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *conn).await.map_err(backend)?;
        }
        Ok(())
    }
}
