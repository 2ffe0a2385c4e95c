//! Ordering resources for `sortBy`/`sortOrder` (RFC 7644 §3.4.2.3).

use std::cmp::Ordering;

use serde_json::Value;

use super::ast::AttrPath;
use super::comparison::{member, present, value_cmp};
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::attribute::Attribute;
use crate::schema::definition::ResourceType;
use crate::schema::registry::ResolvedAttribute;

/// Sort direction (RFC 7644 §3.4.2.3).
///
/// ```
/// use scim_core::filter::SortOrder;
/// assert_eq!(SortOrder::default(), SortOrder::Ascending);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// Smallest first (the default).
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

/// `sortBy` and `sortOrder`.
///
/// ```
/// use scim_core::filter::{AttrPath, Sort, SortOrder};
/// let s = Sort { by: AttrPath::new("userName"), order: SortOrder::Descending };
/// assert_eq!(s.by.name, "userName");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    /// The attribute to sort by.
    pub by: AttrPath,
    /// The direction.
    pub order: SortOrder,
}

impl Sort {
    /// Orders two resources by this sort (RFC 7644 §3.4.2.3): by the attribute's
    /// type (strings case-insensitively unless `caseExact`, numbers numerically,
    /// dateTimes as instants); a multi-valued attribute by its primary value, else
    /// its first; resources without a value last when ascending and first when
    /// descending; ties broken by `id` so paging is stable. An attribute the schema
    /// does not define orders by `id` alone.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, filter::{AttrPath, Sort, SortOrder}};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let user = |id: &str, name: serde_json::Value| {
    ///     Resource::from_value_unchecked("User", serde_json::json!({"id": id, "userName": name})).unwrap()
    /// };
    /// let mut list = vec![user("1", "carol".into()), user("2", serde_json::Value::Null), user("3", "Bob".into())];
    /// let sort = Sort { by: AttrPath::new("userName"), order: SortOrder::Ascending };
    /// list.sort_by(|a, b| sort.compare(a, b, users));
    /// let ids: Vec<_> = list.iter().map(|r| r.id().unwrap()).collect();
    /// assert_eq!(ids, ["3", "1", "2"]);
    /// ```
    pub fn compare(&self, a: &Resource, b: &Resource, resource_type: &ResourceType) -> Ordering {
        self.comparator(resource_type)(a, b)
    }

    /// Checks the sort against a resource type before querying: an attribute that is
    /// never returned (`password`: see [`Attribute::is_never_returned`]) cannot order
    /// results, which would reveal it by their order: `400 invalidValue`.
    ///
    /// ```
    /// use scim_core::{SchemaRegistry, filter::{AttrPath, Sort, SortOrder}};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let by = |name: &str| Sort { by: AttrPath::new(name), order: SortOrder::Ascending };
    /// assert!(by("userName").check(users).is_ok());
    /// let err = by("password").check(users).unwrap_err();
    /// assert_eq!(err.scim_type().unwrap().as_str(), "invalidValue");
    /// ```
    pub fn check(&self, resource_type: &ResourceType) -> Result<(), ScimError> {
        let Some(resolved) = resource_type.resolve(&self.by) else {
            return Ok(());
        };
        let hidden = resolved.attribute.is_never_returned()
            || resolved
                .sub_attribute
                .is_some_and(Attribute::is_never_returned);
        if hidden {
            return Err(ScimError::invalid_value(format!(
                "sortBy: {} is never returned, so results cannot be sorted by it",
                self.by
            )));
        }
        Ok(())
    }

    /// The same ordering as [`Sort::compare`], with the attribute resolved once:
    /// use it to sort many resources.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, filter::{AttrPath, Sort, SortOrder}};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let mut list: Vec<Resource> = (0..3)
    ///     .map(|i| Resource::from_value_unchecked("User", serde_json::json!({"id": i.to_string(), "userName": format!("u{i}")})).unwrap())
    ///     .collect();
    /// let sort = Sort { by: AttrPath::new("userName"), order: SortOrder::Descending };
    /// list.sort_by(sort.comparator(users));
    /// assert_eq!(list[0].id(), Some("2"));
    /// ```
    pub fn comparator<'a>(
        &'a self,
        resource_type: &'a ResourceType,
    ) -> impl Fn(&Resource, &Resource) -> Ordering + 'a {
        let resolved = resource_type.resolve(&self.by);
        let order = self.order;
        move |a: &Resource, b: &Resource| {
            let by_value = match resolved {
                Some(r) => {
                    let target = r.target();
                    match (sort_value(a, &r), sort_value(b, &r)) {
                        (Some(x), Some(y)) => value_cmp(x, y, compared(target)),
                        // No data sorts last ascending, first descending.
                        (Some(_), None) => Ordering::Less,
                        (None, Some(_)) => Ordering::Greater,
                        (None, None) => Ordering::Equal,
                    }
                }
                None => Ordering::Equal,
            };
            let by_value = match order {
                SortOrder::Ascending => by_value,
                SortOrder::Descending => by_value.reverse(),
            };
            by_value.then_with(|| a.id().cmp(&b.id()))
        }
    }
}

/// The attribute whose type orders the values: `value` for a multi-valued complex
/// attribute named alone.
fn compared(target: &Attribute) -> &Attribute {
    if target.is_complex() {
        target.sub_attribute("value").unwrap_or(target)
    } else {
        target
    }
}

/// The value a resource sorts by, if it has one.
fn sort_value<'a>(resource: &'a Resource, resolved: &ResolvedAttribute<'_>) -> Option<&'a Value> {
    let holder = match resolved.extension {
        Some(urn) => member(resource.attributes(), urn)?.as_object()?,
        None => resource.attributes(),
    };
    let mut value = member(holder, &resolved.attribute.name)?;
    if let Value::Array(items) = value {
        // The primary value, else the first (RFC 7644 §3.4.2.3).
        let primary = items.iter().find(|item| {
            item.as_object()
                .and_then(|o| member(o, "primary"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        });
        value = primary.or_else(|| items.first())?;
    }
    let sub = match resolved.sub_attribute {
        Some(sub) => Some(sub.name.as_str()),
        None if resolved.attribute.is_complex() => Some("value"),
        None => None,
    };
    if let Some(sub) = sub {
        value = member(value.as_object()?, sub)?;
    }
    present(value).then_some(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{
        Resource, SchemaRegistry,
        filter::Sort,
        filter::{AttrPath, SortOrder},
    };

    fn sorted(by: &str, order: SortOrder, users: &[serde_json::Value]) -> Vec<String> {
        let registry = SchemaRegistry::with_builtins();
        let rt = registry.resource_type("User").unwrap();
        let mut list: Vec<Resource> = users
            .iter()
            .map(|u| Resource::from_value_unchecked("User", u.clone()).unwrap())
            .collect();
        let sort = Sort {
            by: by.parse::<AttrPath>().unwrap(),
            order,
        };
        list.sort_by(|a, b| sort.compare(a, b, rt));
        list.iter().map(|r| r.id().unwrap().to_owned()).collect()
    }

    #[test]
    fn strings_case_insensitive_missing_last_then_first() {
        let users = [
            json!({"id": "a", "userName": "zed"}),
            json!({"id": "b"}),
            json!({"id": "c", "userName": "Alice"}),
            json!({"id": "d", "userName": "bob"}),
            json!({"id": "e", "userName": ""}),
            json!({"id": "f", "userName": "ALICE"}),
        ];
        assert_eq!(
            sorted("userName", SortOrder::Ascending, &users),
            ["c", "f", "d", "a", "b", "e"]
        );
        assert_eq!(
            sorted("username", SortOrder::Descending, &users),
            ["b", "e", "a", "d", "c", "f"]
        );
    }

    #[test]
    fn case_exact_attributes_sort_by_code_point() {
        let users = [
            json!({"id": "1", "externalId": "b"}),
            json!({"id": "2", "externalId": "B"}),
            json!({"id": "3", "externalId": "a"}),
        ];
        assert_eq!(
            sorted("externalId", SortOrder::Ascending, &users),
            ["2", "3", "1"]
        );
    }

    #[test]
    fn multi_valued_by_primary_else_first() {
        let users = [
            json!({"id": "1", "emails": [{"value": "z@x"}, {"value": "a@x", "primary": true}]}),
            json!({"id": "2", "emails": [{"value": "m@x"}, {"value": "b@x"}]}),
            json!({"id": "3", "emails": []}),
        ];
        assert_eq!(
            sorted("emails", SortOrder::Ascending, &users),
            ["1", "2", "3"]
        );
        assert_eq!(
            sorted("emails.value", SortOrder::Ascending, &users),
            ["1", "2", "3"]
        );
        assert_eq!(
            sorted("emails.value", SortOrder::Descending, &users),
            ["3", "2", "1"]
        );
    }

    #[test]
    fn date_times_as_instants_and_ties_by_id() {
        let users = [
            json!({"id": "1", "meta": {"lastModified": "2011-05-13T06:00:00+02:00"}}),
            json!({"id": "2", "meta": {"lastModified": "2011-05-13T04:30:00Z"}}),
            json!({"id": "0", "meta": {"lastModified": "2011-05-13T04:00:00Z"}}),
            json!({"id": "3", "name": {"givenName": "x"}}),
        ];
        assert_eq!(
            sorted("meta.lastModified", SortOrder::Ascending, &users),
            ["0", "1", "2", "3"]
        );
        assert_eq!(
            sorted("nickName2", SortOrder::Descending, &users),
            ["0", "1", "2", "3"]
        );
        assert_eq!(
            sorted("name.givenName", SortOrder::Ascending, &users),
            ["3", "0", "1", "2"]
        );
    }
}
