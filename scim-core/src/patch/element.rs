//! Which elements of a multi-valued attribute a PATCH value filter selects.

use serde_json::Value;

use crate::filter::Filter;
use crate::schema::attribute::Attribute;

/// Whether `element` (one value of `attribute`) satisfies `filter`, whose paths are
/// relative to the element (`type eq "work"`, `value eq "2819c223…"`).
pub(super) fn matches(filter: &Filter, attribute: &Attribute, element: &Value) -> bool {
    element
        .as_object()
        .is_some_and(|element| crate::filter::matches_element(filter, attribute, element))
}
