//! Group membership in both directions: group to members and member to groups.
//!
//! A group's members live here rather than in its document, so adding or removing one
//! member is a hash-map update and an ordered-map one (logarithmic in the group's size),
//! never a rewrite of the group, and `User.groups` (RFC 7643 §4.1.2) is read from the
//! reverse map. The members are kept in the order they were added, so listing a group
//! walks them without sorting.

use std::collections::BTreeMap;

use super::Id;
use crate::hash_map::{HashMap, HashSet};

/// One member of a group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    /// The member's resource type name (`User` or `Group`): the `type` sub-attribute.
    pub(crate) kind: Id,
    /// The `display` the client sent; `None` derives it from the member when read.
    pub(crate) display: Option<String>,
}

/// The members of one group.
#[derive(Debug, Default)]
struct GroupMembers {
    /// Member id to its position in `in_order`.
    positions: HashMap<Id, u64>,
    /// The members by position, which grows with each addition: the order they were
    /// added, as a response lists them.
    in_order: BTreeMap<u64, (Id, Member)>,
}

/// The membership index of one tenant.
#[derive(Debug, Default)]
pub(crate) struct Membership {
    next_seq: u64,
    /// Group id to its members.
    members: HashMap<Id, GroupMembers>,
    /// Member id to the groups that list it directly.
    groups: HashMap<Id, HashSet<Id>>,
}

impl Membership {
    /// Adds `member` to `group`; a member already present keeps its entry. Returns
    /// whether the group changed.
    pub(crate) fn add(
        &mut self,
        group: &Id,
        member: &Id,
        kind: &Id,
        display: Option<String>,
    ) -> bool {
        let members = self.members.entry(Id::clone(group)).or_default();
        if members.positions.contains_key(member) {
            return false;
        }
        self.next_seq += 1;
        members.positions.insert(Id::clone(member), self.next_seq);
        let entry = Member {
            kind: Id::clone(kind),
            display,
        };
        members
            .in_order
            .insert(self.next_seq, (Id::clone(member), entry));
        self.groups
            .entry(Id::clone(member))
            .or_default()
            .insert(Id::clone(group));
        true
    }

    /// Makes room in `group`'s id map for `additional` members, so that adding many in
    /// one request grows it once (the ordered map grows node by node).
    pub(crate) fn reserve(&mut self, group: &Id, additional: usize) {
        // No entry for nothing: a group without members has no map.
        if additional == 0 {
            return;
        }
        self.members
            .entry(Id::clone(group))
            .or_default()
            .positions
            .reserve(additional);
    }

    /// Removes `member` from `group`. Returns whether the group changed.
    pub(crate) fn remove(&mut self, group: &str, member: &str) -> bool {
        let Some(members) = self.members.get_mut(group) else {
            return false;
        };
        let Some(position) = members.positions.remove(member) else {
            return false;
        };
        members.in_order.remove(&position);
        if members.positions.is_empty() {
            self.members.remove(group);
        }
        if let Some(groups) = self.groups.get_mut(member) {
            groups.remove(group);
            if groups.is_empty() {
                self.groups.remove(member);
            }
        }
        true
    }

    /// Removes every member of `group` and returns their ids.
    pub(crate) fn clear(&mut self, group: &str) -> Vec<Id> {
        let Some(members) = self.members.remove(group) else {
            return Vec::new();
        };
        for member in members.positions.keys() {
            if let Some(groups) = self.groups.get_mut(member) {
                groups.remove(group);
                if groups.is_empty() {
                    self.groups.remove(member);
                }
            }
        }
        members.positions.into_keys().collect()
    }

    /// The ids of the members of `group` (unordered).
    pub(crate) fn member_ids(&self, group: &str) -> impl Iterator<Item = &Id> {
        self.members
            .get(group)
            .into_iter()
            .flat_map(|members| members.positions.keys())
    }

    /// How many members `group` has.
    pub(crate) fn count(&self, group: &str) -> usize {
        self.members.get(group).map_or(0, |m| m.positions.len())
    }

    /// The members of `group` in the order they were added.
    pub(crate) fn members_in_order(&self, group: &str) -> impl Iterator<Item = (&Id, &Member)> {
        self.members
            .get(group)
            .into_iter()
            .flat_map(|members| members.in_order.values())
            .map(|(id, member)| (id, member))
    }

    /// Whether `member` is a member of `group`.
    #[cfg(test)]
    pub(crate) fn contains(&self, group: &str, member: &str) -> bool {
        self.members
            .get(group)
            .is_some_and(|m| m.positions.contains_key(member))
    }

    /// The groups that list `member` directly (unordered).
    pub(crate) fn groups_of(&self, member: &str) -> impl Iterator<Item = &Id> {
        self.groups.get(member).into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Id {
        Id::from(s)
    }

    #[test]
    fn add_and_remove_keep_both_directions_in_step() {
        let mut m = Membership::default();
        let (g, u, kind) = (id("g"), id("u"), id("User"));
        assert!(m.add(&g, &u, &kind, None));
        assert!(
            !m.add(&g, &u, &kind, Some("again".into())),
            "re-adding is a no-op"
        );
        assert!(m.contains("g", "u"));
        assert_eq!(m.count("g"), 1);
        assert_eq!(m.groups_of("u").collect::<Vec<_>>(), [&g]);
        assert!(m.remove("g", "u"));
        assert!(!m.remove("g", "u"));
        assert!(!m.contains("g", "u"));
        assert_eq!(m.count("g"), 0);
        assert_eq!(m.groups_of("u").count(), 0);
        assert!(
            m.members.is_empty() && m.groups.is_empty(),
            "no empty entries left"
        );
    }

    #[test]
    fn reserving_room_for_no_member_leaves_no_empty_group_behind() {
        let mut m = Membership::default();
        let (g, kind) = (id("g"), id("User"));
        m.reserve(&g, 0);
        assert!(m.members.is_empty(), "a group without members has no map");
        m.reserve(&g, 3);
        assert!(
            m.members
                .get("g")
                .is_some_and(|members| members.positions.capacity() >= 3)
        );
        assert!(m.add(&g, &id("u"), &kind, None));
        assert!(m.remove("g", "u"));
        assert!(m.members.is_empty(), "emptied again, the map goes");
    }

    #[test]
    fn members_are_listed_in_insertion_order() {
        let mut m = Membership::default();
        let (g, kind) = (id("g"), id("User"));
        let order = |m: &Membership| -> Vec<String> {
            m.members_in_order("g")
                .map(|(i, _)| i.to_string())
                .collect()
        };
        for name in ["c", "a", "b", "d"] {
            m.add(&g, &id(name), &kind, None);
        }
        assert_eq!(order(&m), ["c", "a", "b", "d"]);
        // A member removed leaves the others in place; added again, it goes last, and
        // adding one already present moves nothing.
        assert!(m.remove("g", "a"));
        assert_eq!(order(&m), ["c", "b", "d"]);
        assert!(m.add(&g, &id("a"), &kind, Some("A".into())));
        assert!(!m.add(&g, &id("c"), &kind, None));
        assert_eq!(order(&m), ["c", "b", "d", "a"]);
        let entry = m.members_in_order("g").last().map(|(_, e)| e.clone());
        assert_eq!(entry.and_then(|e| e.display), Some("A".into()));
        let mut ids: Vec<String> = m.member_ids("g").map(|i| i.to_string()).collect();
        ids.sort();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(m.count("g"), 4);
        assert_eq!(m.members_in_order("none").count(), 0);
    }

    #[test]
    fn clear_detaches_every_member() {
        let mut m = Membership::default();
        let kind = id("User");
        m.add(&id("g1"), &id("u"), &kind, None);
        m.add(&id("g2"), &id("u"), &kind, None);
        let mut removed = m.clear("g1");
        removed.sort();
        assert_eq!(removed, [id("u")]);
        assert_eq!(m.groups_of("u").collect::<Vec<_>>(), [&id("g2")]);
    }
}
