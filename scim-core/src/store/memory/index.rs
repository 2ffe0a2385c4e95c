//! Secondary indexes of one resource type: which attributes are indexed, how their
//! values are keyed, the uniqueness checks built on them, and the sorted walk that
//! answers `sortBy` on an indexed attribute without sorting.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::Id;
use crate::filter::{AttrPath, member, present};
use crate::hash_map::HashMap;
use crate::schema::attribute::{AttributeType, Uniqueness};
use crate::schema::definition::ResourceType;
use crate::schema::registry::ResolvedAttribute;
use crate::store::StoreError;

/// An indexed attribute: a singular, non-complex attribute of the core schema, the
/// common attributes or an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexSpec {
    /// The extension URN holding the attribute (its key in the document), if any.
    pub(crate) extension: Option<String>,
    /// The attribute name in its canonical spelling.
    pub(crate) name: String,
    /// Whether values compare case-sensitively (RFC 7643 §2.2 `caseExact`).
    pub(crate) case_exact: bool,
    /// Whether two resources may not share a value.
    pub(crate) unique: bool,
    /// Whether the attribute is a string (so that a filter `eq` on it compares keys).
    pub(crate) textual: bool,
}

/// One attribute's index: key to the ids carrying it, hashed for equality lookups and
/// ordered for sorted walks.
///
/// A filter's `eq` reads the hash map: one probe, where the ordered map compared the
/// key with a heap-held key at each of its levels (on a store of 100 000 users, a cache
/// miss each). Keys order as the filter's string comparison does (RFC 7644 §3.4.2.3:
/// code point order of the folded text), and each key's ids are kept sorted, so walking
/// the ordered keys lists resources exactly as `Sort::comparator` orders them (value,
/// then id). The ordered map holds each key's number of ids, so that a walk skips the
/// keys before a page without looking their ids up. Both maps share each key's text.
///
/// A non-unique index keeps a small `Vec` per key: the indexed attributes
/// (`externalId`, a non-unique `displayName`) rarely share values, and the vector
/// is a quarter of a set's size.
#[derive(Debug)]
pub(crate) struct AttributeIndex {
    pub(crate) spec: IndexSpec,
    ids: HashMap<Arc<str>, Vec<Id>>,
    /// Every key of `ids` and how many ids it has there.
    order: BTreeMap<Arc<str>, usize>,
    /// How many ids the map holds in all.
    indexed: usize,
    /// Resources whose value is present but not a string (a number, or an array or
    /// object where a singular string belongs): they sort by JSON type, which the
    /// map's order does not follow, so no sorted walk is offered while any exist.
    unordered: usize,
}

/// Keys fold as the filter's comparisons do ([`fold_case`]), so that equal keys are
/// exactly the strings the filter calls equal, and key order is its order.
pub(crate) use crate::filter::fold_case as fold;

/// Whether a value is present (RFC 7644 §3.4.2.2) without being a string: a value
/// a sort orders by JSON type rather than as text.
fn unordered(value: Option<&Value>) -> bool {
    value.is_some_and(|v| !v.is_string() && present(v))
}

impl AttributeIndex {
    fn new(spec: IndexSpec) -> Self {
        Self {
            spec,
            ids: HashMap::default(),
            order: BTreeMap::new(),
            indexed: 0,
            unordered: 0,
        }
    }

    /// The value of the indexed attribute in a document, found as the filter and the
    /// sort find it (exact key first, else case-insensitively: RFC 7643 §2.1).
    pub(crate) fn value_of<'a>(&self, doc: &'a Map<String, Value>) -> Option<&'a Value> {
        match &self.spec.extension {
            Some(urn) => member(member(doc, urn)?.as_object()?, &self.spec.name),
            None => member(doc, &self.spec.name),
        }
    }

    /// The key of a JSON value: strings folded unless case-exact, other scalars as
    /// JSON text; `null`, arrays and objects are not indexed.
    /// A string already in its key's form is borrowed ([`key_of_text`](Self::key_of_text)).
    fn key_of<'v>(&self, value: &'v Value) -> Option<Cow<'v, str>> {
        match value {
            Value::String(s) => Some(self.key_of_text(s)),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            Value::Bool(b) => Some(Cow::Owned(b.to_string())),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// The key of a string value, borrowed when the string is its own key (case-exact,
    /// or folded already: ASCII without capitals, as most e-mail-like user names are).
    pub(crate) fn key_of_text<'v>(&self, s: &'v str) -> Cow<'v, str> {
        if self.spec.case_exact || (s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase())) {
            Cow::Borrowed(s)
        } else {
            Cow::Owned(fold(s))
        }
    }

    /// The ids whose value has this key.
    pub(crate) fn lookup(&self, key: &str) -> &[Id] {
        self.ids.get(key).map_or(&[], Vec::as_slice)
    }

    fn insert(&mut self, id: &Id, doc: &Map<String, Value>) {
        let value = self.value_of(doc);
        self.unordered += usize::from(unordered(value));
        let Some(key) = value.and_then(|v| self.key_of(v)) else {
            return;
        };
        match self.ids.get_mut(&*key) {
            Some(ids) => {
                if let Err(at) = ids.binary_search(id) {
                    ids.insert(at, Id::clone(id));
                    self.indexed += 1;
                    if let Some(count) = self.order.get_mut(&*key) {
                        *count += 1;
                    }
                }
            }
            None => {
                let key: Arc<str> = Arc::from(&*key);
                // Most keys carry one id: allocated for exactly one.
                self.ids.insert(Arc::clone(&key), vec![Id::clone(id)]);
                self.order.insert(key, 1);
                self.indexed += 1;
            }
        }
    }

    fn remove(&mut self, id: &str, doc: &Map<String, Value>) {
        let value = self.value_of(doc);
        self.unordered -= usize::from(unordered(value)).min(self.unordered);
        let Some(key) = value.and_then(|v| self.key_of(v)) else {
            return;
        };
        let Some(ids) = self.ids.get_mut(&*key) else {
            return;
        };
        let Ok(at) = ids.binary_search_by(|i| (**i).cmp(id)) else {
            return;
        };
        ids.remove(at);
        self.indexed -= 1;
        if ids.is_empty() {
            self.ids.remove(&*key);
            self.order.remove(&*key);
        } else if let Some(count) = self.order.get_mut(&*key) {
            *count -= 1;
        }
    }

    /// The ids of resources holding a present string value, in the order
    /// `Sort::comparator` gives them (value ascending or descending, ties by id
    /// ascending), and how many there are; `None` when the map's order is not the
    /// sort's (a non-string attribute, or some non-string value stored).
    pub(crate) fn sorted(&self, descending: bool) -> Option<(usize, Sorted<'_>)> {
        if !self.spec.textual || self.unordered > 0 {
            return None;
        }
        // `""` is not present (RFC 7644 §3.4.2.2): it sorts with the missing values.
        // No other key is empty: folding never maps a character to nothing.
        let blank = self.lookup("").len();
        let valued = self.order.iter().filter(|(key, _)| !key.is_empty());
        let keys: Box<dyn Iterator<Item = (&Arc<str>, &usize)> + '_> = if descending {
            Box::new(valued.rev())
        } else {
            Box::new(valued)
        };
        let walk = Sorted {
            keys,
            ids: &self.ids,
            current: [].iter(),
        };
        Some((self.indexed - blank, walk))
    }

    /// Whether `doc` holds a present value of the attribute (the resources
    /// [`AttributeIndex::sorted`] does not list).
    pub(crate) fn has_value(&self, doc: &Map<String, Value>) -> bool {
        self.value_of(doc).is_some_and(present)
    }

    /// The conflict `doc` would cause with a resource other than `except`.
    fn conflict(&self, doc: &Map<String, Value>, except: Option<&str>) -> Option<StoreError> {
        if !self.spec.unique {
            return None;
        }
        let value = self.value_of(doc)?;
        let key = self.key_of(value)?;
        let taken = self.lookup(&key).iter().any(|id| Some(&**id) != except);
        taken.then(|| StoreError::Conflict {
            attribute: match &self.spec.extension {
                Some(urn) => format!("{urn}:{}", self.spec.name),
                None => self.spec.name.clone(),
            },
            value: match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        })
    }
}

/// The ids of an index in key order (see [`AttributeIndex::sorted`]). Skipping
/// (`nth`, which `Iterator::skip` calls) passes whole keys by their counts, looking up
/// only the ids of the key the walk stops in.
pub(crate) struct Sorted<'a> {
    keys: Box<dyn Iterator<Item = (&'a Arc<str>, &'a usize)> + 'a>,
    ids: &'a HashMap<Arc<str>, Vec<Id>>,
    /// The rest of the current key's ids.
    current: std::slice::Iter<'a, Id>,
}

impl<'a> Sorted<'a> {
    fn ids_of(&self, key: &str) -> std::slice::Iter<'a, Id> {
        self.ids.get(key).map_or(&[][..], Vec::as_slice).iter()
    }
}

impl<'a> Iterator for Sorted<'a> {
    type Item = &'a Id;

    fn next(&mut self) -> Option<&'a Id> {
        loop {
            if let Some(id) = self.current.next() {
                return Some(id);
            }
            let (key, _) = self.keys.next()?;
            self.current = self.ids_of(key);
        }
    }

    fn nth(&mut self, mut n: usize) -> Option<&'a Id> {
        let left = self.current.len();
        if n < left {
            return self.current.nth(n);
        }
        n -= left;
        self.current = [].iter();
        loop {
            let (key, &count) = self.keys.next()?;
            if n < count {
                self.current = self.ids_of(key);
                return self.current.nth(n);
            }
            n -= count;
        }
    }
}

/// The indexes of one resource type in one tenant.
#[derive(Debug)]
pub(crate) struct Indexes {
    attributes: Vec<AttributeIndex>,
}

impl Indexes {
    /// The indexes a resource type needs: `externalId`; every singular simple attribute
    /// whose schema says `uniqueness: server` or `global` (e.g. `userName`); and
    /// `displayName` when `display_name` says so (Groups), unique if `display_name_unique`.
    pub(crate) fn for_type(
        rt: &ResourceType,
        display_name: bool,
        display_name_unique: bool,
    ) -> Self {
        let mut specs = vec![IndexSpec {
            extension: None,
            name: "externalId".to_owned(),
            case_exact: true,
            unique: false,
            textual: true,
        }];
        for schema in rt.schemas() {
            let extension = (!std::ptr::eq(&**schema, &*rt.schema)).then(|| schema.id.clone());
            for attribute in &schema.attributes {
                let display = display_name
                    && extension.is_none()
                    && attribute.name.eq_ignore_ascii_case("displayName");
                let unique = matches!(
                    attribute.uniqueness,
                    Uniqueness::Server | Uniqueness::Global
                ) || (display && display_name_unique);
                // A complex value is never a key (`key_of` indexes scalars), so an
                // index on one would only ever hold "no value": skipping it is what
                // keeps lookups of multi-valued attributes right.
                if attribute.multi_valued
                    || attribute.kind == AttributeType::Complex
                    || !(unique || display)
                {
                    continue;
                }
                specs.push(IndexSpec {
                    extension: extension.clone(),
                    name: attribute.name.clone(),
                    case_exact: attribute.case_exact,
                    unique,
                    textual: matches!(
                        attribute.kind,
                        AttributeType::String | AttributeType::Reference
                    ),
                });
            }
        }
        Self {
            attributes: specs.into_iter().map(AttributeIndex::new).collect(),
        }
    }

    /// Fails with a conflict naming the attribute if `doc` would share a unique value
    /// with any resource other than `except`.
    pub(crate) fn check_unique(
        &self,
        doc: &Map<String, Value>,
        except: Option<&str>,
    ) -> Result<(), StoreError> {
        match self.attributes.iter().find_map(|i| i.conflict(doc, except)) {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Records `doc` under `id` in every index.
    pub(crate) fn insert(&mut self, id: &Id, doc: &Map<String, Value>) {
        for index in &mut self.attributes {
            index.insert(id, doc);
        }
    }

    /// Forgets `doc` (stored under `id`) in every index.
    pub(crate) fn remove(&mut self, id: &str, doc: &Map<String, Value>) {
        for index in &mut self.attributes {
            index.remove(id, doc);
        }
    }

    /// The index of the attribute a filter path names, if there is one. Sub-attribute
    /// paths are never indexed.
    pub(crate) fn find(&self, path: &AttrPath, rt: &ResourceType) -> Option<&AttributeIndex> {
        if path.sub_attribute.is_some() {
            return None;
        }
        self.find_resolved(&rt.resolve(path)?)
    }

    /// [`find`](Self::find) of a path already resolved (without a sub-attribute).
    pub(crate) fn find_resolved(
        &self,
        resolved: &ResolvedAttribute<'_>,
    ) -> Option<&AttributeIndex> {
        if resolved.sub_attribute.is_some() {
            return None;
        }
        self.attributes.iter().find(|i| {
            i.spec.name.eq_ignore_ascii_case(&resolved.attribute.name)
                // Not finding an extension's index is only slower (a scan answers).
                && match (&i.spec.extension, resolved.extension) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => false,
                }
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::{AttributeIndex, Id, IndexSpec};

    fn doc(external_id: &str) -> Map<String, Value> {
        let Value::Object(doc) = json!({"externalId": external_id}) else {
            unreachable!()
        };
        doc
    }

    /// A sorted walk lists each key's ids in key order, and skipping (`nth`, which
    /// `skip` calls) passes whole keys by their counts to the same place as stepping.
    #[test]
    fn a_sorted_walk_skips_whole_keys_as_it_steps() {
        let mut index = AttributeIndex::new(IndexSpec {
            extension: None,
            name: "externalId".to_owned(),
            case_exact: true,
            unique: false,
            textual: true,
        });
        for (id, key) in [
            ("1", "b"),
            ("2", "a"),
            ("3", "c"),
            ("4", "a"),
            ("5", "c"),
            ("6", "a"),
            ("7", "b"),
            ("8", "d"),
        ] {
            index.insert(&Id::from(id), &doc(key));
        }
        // Counts follow removals: one of two ids, and the last id of a key.
        index.remove("7", &doc("b"));
        index.remove("8", &doc("d"));
        for (descending, expected) in [
            (false, ["2", "4", "6", "1", "3", "5"]),
            (true, ["3", "5", "1", "2", "4", "6"]),
        ] {
            let (valued, walk) = index.sorted(descending).unwrap();
            let all: Vec<&str> = walk.map(|id| &**id).collect();
            assert_eq!(all, expected);
            assert_eq!(valued, all.len());
            for n in 0..=all.len() {
                let (_, mut walk) = index.sorted(descending).unwrap();
                assert_eq!(walk.nth(n).map(|id| &**id), all.get(n).copied(), "nth({n})");
                assert_eq!(walk.next().map(|id| &**id), all.get(n + 1).copied());
                let (_, walk) = index.sorted(descending).unwrap();
                let page: Vec<&str> = walk.skip(n).take(2).map(|id| &**id).collect();
                let wanted: Vec<&str> = all.iter().skip(n).take(2).copied().collect();
                assert_eq!(page, wanted, "skip({n})");
            }
        }
        assert_eq!(index.lookup("a").len(), 3);
        assert!(index.lookup("d").is_empty());
        assert_eq!(index.order.len(), index.ids.len());
        assert!(
            index
                .order
                .iter()
                .all(|(key, &count)| index.ids.get(key).map(Vec::len) == Some(count))
        );
    }
}
