//! One tenant's data: its resources by type, their indexes and the group membership,
//! and the write operations on them. Everything here is synchronous and runs under
//! the tenant's lock.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::index::Indexes;
use super::membership::Membership;
use super::record::{
    Kind, Record, member_display, member_object, split_derived, stored_document, touches,
};
use super::{Id, StoreOptions, UnknownMembers};
use crate::hash_map::{HashMap, HashSet};
use crate::patch::{MemberDelta, PatchRequest};
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::store::retrieved::{StoredParts, assemble};
use crate::store::{MemberRef, MemberRows, Retrieved, Stamp, StoreError, Version};

/// The resources of one type in one tenant.
#[derive(Debug)]
pub(crate) struct TypeData {
    pub(crate) name: Id,
    pub(crate) kind: Kind,
    pub(crate) records: HashMap<Id, Record>,
    /// Sequence number to id: insertion order for scans and unsorted pages.
    pub(crate) order: BTreeMap<u64, Id>,
    pub(crate) indexes: Indexes,
}

/// The `type` of each of a User's `groups`: membership is direct (RFC 7643 §4.1.2), as
/// this store keeps no nested closure.
const GROUPS_TYPE: &str = "direct";

/// A member reference checked against the tenant: id, resource type name, `display`.
type ResolvedMember = (Id, Id, Option<String>);

/// Everything one tenant stores.
#[derive(Debug, Default)]
pub(crate) struct TenantData {
    next_seq: u64,
    pub(crate) types: HashMap<String, TypeData>,
    pub(crate) membership: Membership,
}

impl TenantData {
    /// The data of a resource type, created (with its indexes) on first write.
    fn type_data(
        &mut self,
        rt: &ResourceType,
        options: &StoreOptions,
    ) -> Result<&mut TypeData, StoreError> {
        // Looked up before the name is copied for an entry: it is there on every write
        // but a type's first.
        if !self.types.contains_key(&rt.name) {
            let kind = Kind::of(rt);
            let td = TypeData {
                name: Id::from(rt.name.as_str()),
                kind,
                records: HashMap::default(),
                order: BTreeMap::new(),
                indexes: Indexes::for_type(
                    rt,
                    kind == Kind::Group,
                    options.unique_group_display_name,
                ),
            };
            self.types.insert(rt.name.clone(), td);
        }
        self.types
            .get_mut(&rt.name)
            .ok_or_else(|| StoreError::Backend("a resource type's data went missing".into()))
    }

    fn record(&self, rt: &ResourceType, id: &str) -> Result<(&TypeData, &Record), StoreError> {
        let td = self.types.get(&rt.name);
        td.and_then(|td| Some((td, td.records.get(id)?)))
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })
    }

    /// The `display` of a member: a User's `displayName`, else its `userName`; a
    /// Group's `displayName`.
    fn display_of(&self, kind: &str, id: &str) -> Option<&str> {
        self.types.get(kind)?.records.get(id)?.display.as_deref()
    }

    /// Finds a User or Group of this tenant by id: its id as stored (shared, not
    /// copied, by the membership index) and its resource type name.
    fn member_kind(&self, id: &str) -> Option<(&Id, &Id)> {
        self.types
            .values()
            .filter(|td| td.kind != Kind::Other)
            .find_map(|td| Some((td.records.get_key_value(id)?.0, &td.name)))
    }

    /// Checks member references: each must be an object whose `value` is the id of a
    /// User or Group of this tenant. Unknown ids are an error or dropped, as configured.
    fn resolve_members(
        &self,
        members: &[Value],
        options: &StoreOptions,
    ) -> Result<Vec<ResolvedMember>, StoreError> {
        let mut seen = HashSet::with_capacity_and_hasher(members.len(), Default::default());
        let mut resolved = Vec::with_capacity(members.len());
        for member in members {
            let MemberRef { value: id, display } = MemberRef::parse(member)?;
            let Some((stored_id, kind)) = self.member_kind(id) else {
                match options.unknown_members {
                    UnknownMembers::Ignore => continue,
                    UnknownMembers::Reject => {
                        return Err(StoreError::Invalid(format!(
                            "member {id:?} is not a User or Group of this tenant"
                        )));
                    }
                }
            };
            if seen.insert(id) {
                let display = display.map(str::to_owned);
                resolved.push((Id::clone(stored_id), Id::clone(kind), display));
            }
        }
        Ok(resolved)
    }

    /// Advances the version of the resource `id`, whatever its type: a User's derived
    /// `groups` or a Group's `members` changed.
    fn touch(&mut self, id: &str, now: &str) {
        if let Some(record) = self
            .types
            .values_mut()
            .filter(|td| td.kind != Kind::Other)
            .find_map(|td| td.records.get_mut(id))
        {
            record.touch(now);
        }
    }

    fn add_member(&mut self, group: &Id, (member, kind, display): ResolvedMember, now: &str) {
        if self.membership.add(group, &member, &kind, display) {
            self.touch(&member, now);
        }
    }

    fn remove_member(&mut self, group: &str, member: &str, now: &str) {
        if self.membership.remove(group, member) {
            self.touch(member, now);
        }
    }

    /// Makes `members` the whole member list of `group`; members already present keep
    /// their place.
    fn set_members(&mut self, group: &Id, members: Vec<ResolvedMember>, now: &str) {
        let wanted: HashSet<&str> = members.iter().map(|(id, _, _)| &**id).collect();
        let gone: Vec<Id> = self
            .membership
            .member_ids(group)
            .filter(|id| !wanted.contains(&***id))
            .cloned()
            .collect();
        for member in gone {
            self.remove_member(group, &member, now);
        }
        for member in members {
            self.add_member(group, member, now);
        }
    }

    /// Builds the resource as returned: `schemas`, `id`, the document, the derived
    /// attribute (unless `derived` is false) and `meta`.
    pub(crate) fn materialize(&self, td: &TypeData, record: &Record, derived: bool) -> Resource {
        let derived = match td.kind.derived_attribute() {
            Some(name) if derived => self
                .derived_values(td.kind, record)
                .map(|values| (name.to_owned(), values)),
            _ => None,
        };
        let out = assemble(
            record.resource.attributes(),
            &record.id,
            derived,
            record.meta(&td.name),
        );
        Resource::with_type_name(Id::clone(&td.name), out)
    }

    /// A Group's `members` or a User's `groups` (RFC 7643 §4.1.2: `type` "direct"),
    /// `None` when empty (RFC 7643 §2.5: an empty list is unassigned).
    fn derived_values(&self, kind: Kind, record: &Record) -> Option<Value> {
        let id = &*record.id;
        let values: Vec<Value> = match kind {
            Kind::Group => {
                let mut values = Vec::new();
                self.each_member(record, |member, display, kind| {
                    values.push(member_object(member, display, kind));
                });
                values
            }
            Kind::User => {
                let mut values = Vec::new();
                self.each_group(id, |group, display| {
                    values.push(member_object(group, display, GROUPS_TYPE));
                });
                values
            }
            Kind::Other => return None,
        };
        (!values.is_empty()).then_some(Value::Array(values))
    }

    /// Calls `f` with each group user `id` is a direct member of, oldest group first:
    /// its id and `display`.
    fn each_group<'a>(&'a self, id: &str, mut f: impl FnMut(&'a Id, Option<&'a str>)) {
        let mut groups: Vec<(u64, &Id, Option<&str>)> = self
            .membership
            .groups_of(id)
            .filter_map(|group| {
                let (td, record) = self
                    .types
                    .values()
                    .filter(|td| td.kind == Kind::Group)
                    .find_map(|td| Some((td, td.records.get(group)?)))?;
                let display = self.display_of(&td.name, group);
                Some((record.seq, group, display))
            })
            .collect();
        groups.sort_unstable_by_key(|(seq, _, _)| *seq);
        for (_, group, display) in groups {
            f(group, display);
        }
    }

    /// Calls `f` with each member of a group, in the order they were added: its id,
    /// `display` (the client's, else the member's own name) and resource type.
    fn each_member<'a>(
        &'a self,
        record: &Record,
        mut f: impl FnMut(&'a Id, Option<&'a str>, &'a Id),
    ) {
        // Members are nearly all of one or two types: find each type's records once,
        // not once per member.
        let mut last: Option<(&Id, Option<&TypeData>)> = None;
        for (member, entry) in self.membership.members_in_order(&record.id) {
            let display = match entry.display.as_deref() {
                Some(display) => Some(display),
                None => {
                    let td = match last {
                        // Looking the type up again is only slower.
                        Some((kind, td)) if Id::ptr_eq(kind, &entry.kind) => td,
                        _ => {
                            let td = self.types.get(&*entry.kind);
                            last = Some((&entry.kind, td));
                            td
                        }
                    };
                    td.and_then(|td| td.records.get(&**member))
                        .and_then(|r| r.display.as_deref())
                }
            };
            f(member, display, &entry.kind);
        }
    }

    /// Fetches one resource for a response: with its derived attribute when `derived`,
    /// a Group's members as rows.
    pub(crate) fn retrieve(
        &self,
        rt: &ResourceType,
        id: &str,
        derived: bool,
    ) -> Result<Retrieved, StoreError> {
        let (td, record) = self.record(rt, id)?;
        Ok(self.retrieved(td, record, derived))
    }

    /// A record as [`retrieve`](Self::retrieve) hands it out: the stored document
    /// (shared), its `id` and `meta`, the derived attribute when `derived`, a Group's
    /// members as rows.
    pub(crate) fn retrieved(&self, td: &TypeData, record: &Record, derived: bool) -> Retrieved {
        let mut members = MemberRows::new();
        let mut groups = MemberRows::new();
        match td.kind {
            Kind::Group if derived => {
                members = MemberRows::with_capacity(self.membership.count(&record.id));
                self.each_member(record, |member, display, kind| {
                    members.push(member, Some(kind), display);
                });
            }
            Kind::User if derived => {
                // As rows, as a group's members are: written straight into the body.
                self.each_group(&record.id, |group, display| {
                    groups.push(group, Some(GROUPS_TYPE), display);
                });
            }
            _ => {}
        }
        let parts = StoredParts {
            id: Id::clone(&record.id),
            created: record.created.clone(),
            last_modified: record.last_modified.clone(),
            version: Version(record.version),
            groups,
        };
        // The stored document itself, shared: nothing of it is copied for a response.
        Retrieved::stored(record.resource.clone(), parts, members)
    }

    /// Fetches one resource with its derived attribute.
    pub(crate) fn get(&self, rt: &ResourceType, id: &str) -> Result<Resource, StoreError> {
        let (td, record) = self.record(rt, id)?;
        Ok(self.materialize(td, record, true))
    }

    /// Stores a new resource under `id`; what is made of the stored record (the whole
    /// resource, or its stored form) is `out`'s.
    pub(crate) fn create<R>(
        &mut self,
        rt: &ResourceType,
        resource: Resource,
        id: Id,
        now: &str,
        options: &StoreOptions,
        out: impl FnOnce(&Self, &TypeData, &Record) -> R,
    ) -> Result<R, StoreError> {
        let kind = self.type_data(rt, options)?.kind;
        let exact_size = resource.is_exact_size();
        let mut attributes = resource.into_attributes();
        let before = attributes.len();
        let members = match split_derived(&mut attributes, kind)? {
            Some(members) => self.resolve_members(&members, options)?,
            None => Vec::new(),
        };
        let seq = self.next_seq + 1;
        let td = self.type_data(rt, options)?;
        td.indexes.check_unique(&attributes, None)?;
        let exact_size = exact_size && attributes.len() == before;
        let doc = stored_document(attributes, exact_size);
        td.indexes.insert(&id, &doc);
        td.order.insert(seq, Id::clone(&id));
        let stamp = Stamp::new(now);
        let record = Record {
            seq,
            id: Id::clone(&id),
            version: 1,
            created: stamp.clone(),
            last_modified: stamp,
            display: member_display(kind, &doc),
            resource: Resource::with_type_name(Id::clone(&td.name), doc),
        };
        td.records.insert(Id::clone(&id), record);
        self.next_seq = seq;
        for member in members {
            self.add_member(&id, member, now);
        }
        let (td, record) = self.record(rt, &id)?;
        Ok(out(self, td, record))
    }

    /// Replaces the document of `id` (and, for a Group, its members) after checking
    /// uniqueness; `members` is `None` to keep the current members.
    fn commit(
        &mut self,
        rt: &ResourceType,
        id: &str,
        attributes: Map<String, Value>,
        members: Option<Vec<ResolvedMember>>,
        now: &str,
    ) -> Result<(), StoreError> {
        let td = self
            .types
            .get_mut(&rt.name)
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        td.indexes.check_unique(&attributes, Some(id))?;
        let Some((key, record)) = td.records.get_key_value(id) else {
            return Err(StoreError::NotFound { id: id.to_owned() });
        };
        let key = Id::clone(key);
        // A replaced or patched document: not known to be at its exact size.
        let doc = stored_document(attributes, false);
        td.indexes.remove(id, record.resource.attributes());
        td.indexes.insert(&key, &doc);
        let display = member_display(td.kind, &doc);
        if let Some(record) = td.records.get_mut(id) {
            record.touch(now);
            record.display = display;
            // A new document, not a change to the old one: a response may still share
            // the old one, and copying it only to overwrite it would be waste.
            record.resource = Resource::with_type_name(Id::clone(&td.name), doc);
        }
        if let Some(members) = members {
            self.set_members(&key, members, now);
        }
        Ok(())
    }

    /// Replaces a resource wholesale (RFC 7644 §3.5.1): a Group body without
    /// `members` empties the group.
    pub(crate) fn replace(
        &mut self,
        rt: &ResourceType,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
        now: &str,
        options: &StoreOptions,
    ) -> Result<Resource, StoreError> {
        let (td, record) = self.record(rt, id)?;
        record.check_version(expected_version)?;
        let kind = td.kind;
        let mut resource = resource;
        // A PUT without `password` keeps the stored hash (RFC 7644 §3.5.1).
        resource.keep_write_only_from(&record.resource, rt);
        let mut attributes = resource.into_attributes();
        let members = match split_derived(&mut attributes, kind)? {
            Some(members) => Some(self.resolve_members(&members, options)?),
            None => None,
        };
        self.commit(rt, id, attributes, members, now)?;
        self.get(rt, id)
    }

    /// Applies a PATCH atomically: every check runs before the first change. What is
    /// made of the patched record is `out`'s, told whether to include the derived
    /// attribute (`derived`: a 100 000-member group is not copied for a `204 No Content`).
    #[expect(
        clippy::too_many_arguments,
        reason = "the trait call's arguments plus the lock's context"
    )]
    pub(crate) fn patch<R>(
        &mut self,
        rt: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        derived: bool,
        now: &str,
        options: &StoreOptions,
        out: impl FnOnce(&Self, &TypeData, &Record, bool) -> R,
    ) -> Result<R, StoreError> {
        let kind = {
            let (td, record) = self.record(rt, id)?;
            record.check_version(expected_version)?;
            td.kind
        };
        // The member delta is a shortcut for Groups; the general path below gives the
        // same result for any PATCH, only by copying the member list.
        if kind == Kind::Group
            && let Some(delta) = patch.member_delta(rt)
        {
            self.patch_members(rt, id, delta, now, options)?;
            let (td, record) = self.record(rt, id)?;
            return Ok(out(self, td, record, derived));
        }
        // The general path: load the whole document, apply, and save (as a simple
        // load/save store would). A Group's members are loaded only when the PATCH
        // names them, so renaming a large group does not copy its member list.
        let (td, record) = self.record(rt, id)?;
        // (Loading a User's `groups` too would change nothing: they are dropped again
        // before saving, as for any client that sends them.)
        let with_members = kind == Kind::Group && touches(patch, "members");
        let mut resource = self.materialize(td, record, with_members);
        patch.apply(&mut resource, rt)?;
        let mut attributes = resource.into_attributes();
        let members = match split_derived(&mut attributes, kind)? {
            Some(members) if with_members => Some(self.resolve_members(&members, options)?),
            _ => None,
        };
        self.commit(rt, id, attributes, members, now)?;
        let (td, record) = self.record(rt, id)?;
        Ok(out(self, td, record, derived))
    }

    /// A Group PATCH that changes members (and maybe other attributes): members are
    /// added and removed in the membership index, one hash operation each.
    fn patch_members(
        &mut self,
        rt: &ResourceType,
        id: &str,
        delta: MemberDelta,
        now: &str,
        options: &StoreOptions,
    ) -> Result<(), StoreError> {
        let replace_all = match &delta.replace_all {
            Some(members) => Some(self.resolve_members(members, options)?),
            None => None,
        };
        let add = self.resolve_members(&delta.add, options)?;
        let (td, record) = self.record(rt, id)?;
        let key = td
            .records
            .get_key_value(id)
            .map(|(k, _)| Id::clone(k))
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        let attributes = match &delta.other {
            Some(other) => {
                let mut resource = self.materialize(td, record, false);
                other.apply(&mut resource, rt)?;
                let mut attributes = resource.into_attributes();
                // `other` never carries members; drop any to keep the index the truth.
                split_derived(&mut attributes, Kind::Group)?;
                td.indexes.check_unique(&attributes, Some(id))?;
                Some(attributes)
            }
            None => None,
        };
        // Every check passed: from here on nothing fails.
        if let Some(members) = replace_all {
            self.set_members(&key, members, now);
        }
        self.membership.reserve(&key, add.len());
        for member in add {
            self.add_member(&key, member, now);
        }
        for member in &delta.remove {
            self.remove_member(id, member, now);
        }
        match attributes {
            Some(attributes) => self.commit(rt, id, attributes, None, now),
            None => {
                self.touch(id, now);
                Ok(())
            }
        }
    }

    /// Deletes a resource and every membership it takes part in.
    pub(crate) fn delete(
        &mut self,
        rt: &ResourceType,
        id: &str,
        expected_version: Option<&str>,
        now: &str,
    ) -> Result<(), StoreError> {
        let (_, record) = self.record(rt, id)?;
        record.check_version(expected_version)?;
        let Some(td) = self.types.get_mut(&rt.name) else {
            return Err(StoreError::NotFound { id: id.to_owned() });
        };
        let Some(record) = td.records.remove(id) else {
            return Err(StoreError::NotFound { id: id.to_owned() });
        };
        td.order.remove(&record.seq);
        td.indexes.remove(id, record.resource.attributes());
        if td.kind == Kind::Other {
            return Ok(());
        }
        // A deleted group leaves its members' `groups`; a deleted user or group
        // leaves every group that listed it.
        for member in self.membership.clear(id) {
            self.touch(&member, now);
        }
        let groups: Vec<Id> = self.membership.groups_of(id).cloned().collect();
        for group in groups {
            self.remove_member(&group, id, now);
            self.touch(&group, now);
        }
        Ok(())
    }
}
