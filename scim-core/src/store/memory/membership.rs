//! Group membership in both directions: group to members and member to groups.
//!
//! A group's members live here rather than in its document, so adding or removing one
//! member is a hash-map insert or remove, whatever the group's size, and `User.groups`
//! (RFC 7643 §4.1.2) is read from the reverse map.

use super::Id;
use crate::hash_map::{HashMap, HashSet};

/// One member of a group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    /// Position in the group, so that members are listed in the order they were added.
    pub(crate) seq: u64,
    /// The member's resource type name (`User` or `Group`): the `type` sub-attribute.
    pub(crate) kind: Id,
    /// The `display` the client sent; `None` derives it from the member when read.
    pub(crate) display: Option<String>,
}

/// The membership index of one tenant.
#[derive(Debug, Default)]
pub(crate) struct Membership {
    next_seq: u64,
    /// Group id to its members.
    members: HashMap<Id, HashMap<Id, Member>>,
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
        if members.contains_key(member) {
            return false;
        }
        self.next_seq += 1;
        members.insert(
            Id::clone(member),
            Member {
                seq: self.next_seq,
                kind: Id::clone(kind),
                display,
            },
        );
        self.groups
            .entry(Id::clone(member))
            .or_default()
            .insert(Id::clone(group));
        true
    }

    /// Makes room in `group` for `additional` members, so that adding many in one
    /// request grows its map once.
    pub(crate) fn reserve(&mut self, group: &Id, additional: usize) {
        // No entry for nothing: a group without members has no map.
        if additional == 0 {
            return;
        }
        self.members
            .entry(Id::clone(group))
            .or_default()
            .reserve(additional);
    }

    /// Removes `member` from `group`. Returns whether the group changed.
    pub(crate) fn remove(&mut self, group: &str, member: &str) -> bool {
        let Some(members) = self.members.get_mut(group) else {
            return false;
        };
        if members.remove(member).is_none() {
            return false;
        }
        if members.is_empty() {
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
        for member in members.keys() {
            if let Some(groups) = self.groups.get_mut(member) {
                groups.remove(group);
                if groups.is_empty() {
                    self.groups.remove(member);
                }
            }
        }
        members.into_keys().collect()
    }

    /// The members of `group` (unordered) with their entries.
    pub(crate) fn members(&self, group: &str) -> impl Iterator<Item = (&Id, &Member)> {
        self.members.get(group).into_iter().flatten()
    }

    /// How many members `group` has.
    pub(crate) fn count(&self, group: &str) -> usize {
        self.members.get(group).map_or(0, HashMap::len)
    }

    /// The members of `group` in the order they were added.
    pub(crate) fn members_in_order(&self, group: &str) -> Vec<(&Id, &Member)> {
        // The sequence number is copied beside the references so that sorting reads
        // it from the vector, not through a pointer per comparison.
        let mut members: Vec<_> = self.members(group).map(|(id, m)| (m.seq, id, m)).collect();
        members.sort_unstable_by_key(|(seq, _, _)| *seq);
        members.into_iter().map(|(_, id, m)| (id, m)).collect()
    }

    /// Whether `member` is a member of `group`.
    #[cfg(test)]
    pub(crate) fn contains(&self, group: &str, member: &str) -> bool {
        self.members
            .get(group)
            .is_some_and(|m| m.contains_key(member))
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
                .is_some_and(|members| members.capacity() >= 3)
        );
        assert!(m.add(&g, &id("u"), &kind, None));
        assert!(m.remove("g", "u"));
        assert!(m.members.is_empty(), "emptied again, the map goes");
    }

    #[test]
    fn members_are_listed_in_insertion_order() {
        let mut m = Membership::default();
        let (g, kind) = (id("g"), id("User"));
        for name in ["c", "a", "b"] {
            m.add(&g, &id(name), &kind, None);
        }
        let order: Vec<&str> = m.members_in_order("g").iter().map(|(i, _)| &***i).collect();
        assert_eq!(order, ["c", "a", "b"]);
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
