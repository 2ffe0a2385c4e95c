//! The `$ref` of references to other resources (group members, `User.groups`, the
//! enterprise `manager`): `{base}{endpoint}/{id}` of the resource type each one names.

use crate::schema::attribute::Attribute;
use crate::schema::definition::ResourceType;
use crate::schema::registry::SchemaRegistry;

/// The URL prefixes (`{base}{endpoint}/`) of the references of one attribute, each built
/// once for the run of elements that share a type: members are nearly all of one or two
/// types.
pub(super) struct RefPrefixes<'c> {
    registry: &'c SchemaRegistry,
    base: &'c str,
    /// For an element without `type`.
    default: Option<Prefix>,
    /// The last `type` seen and its prefix.
    last: Option<(String, Option<Prefix>)>,
}

/// A URL prefix, and whether JSON would escape any of it (`$ref`s written straight into
/// a body check it once, not once per member).
pub(super) struct Prefix {
    pub(super) url: String,
    pub(super) plain: bool,
}

impl Prefix {
    fn of(base: &str, rt: &ResourceType) -> Self {
        let url = prefix(base, rt);
        let plain = super::member_rows::needs_no_escape(url.as_bytes());
        Self { url, plain }
    }
}

impl<'c> RefPrefixes<'c> {
    /// The prefixes of `attribute`, whose sub-attribute `reference` is its `$ref`, under
    /// the tenant's `base` URL.
    pub(super) fn new(
        registry: &'c SchemaRegistry,
        base: &'c str,
        attribute: &Attribute,
        reference: &Attribute,
    ) -> Self {
        // A member's `type` says what it is; without one, `User.groups` points to groups
        // and anything else to the first resource type its `$ref` may name.
        let default_type = if attribute.name.eq_ignore_ascii_case("groups") {
            registry.resource_type("Group")
        } else {
            reference
                .reference_types
                .iter()
                .find_map(|t| registry.resource_type(t))
        };
        Self {
            registry,
            base,
            default: default_type.map(|t| Prefix::of(base, t)),
            last: None,
        }
    }

    /// The prefix of an element of type `kind` (its `type` sub-attribute); `None` when
    /// neither it nor the default names a resource type.
    pub(super) fn prefix(&mut self, kind: Option<&str>) -> Option<&Prefix> {
        let Some(kind) = kind else {
            return self.default.as_ref();
        };
        if self.last.as_ref().is_none_or(|(last, _)| last != kind) {
            let prefix = self
                .registry
                .resource_type(kind)
                .map(|t| Prefix::of(self.base, t));
            self.last = Some((kind.to_owned(), prefix));
        }
        self.last
            .as_ref()
            .and_then(|(_, prefix)| prefix.as_ref())
            .or(self.default.as_ref())
    }
}

/// `{base}{endpoint}/`: a resource's URL without its id.
fn prefix(base: &str, rt: &ResourceType) -> String {
    let mut url = String::with_capacity(base.len() + rt.endpoint.len() + 1);
    url.push_str(base);
    url.push_str(&rt.endpoint);
    url.push('/');
    url
}
