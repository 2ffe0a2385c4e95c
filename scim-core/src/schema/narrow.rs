//! Narrowing: a schema or resource type cut down to the attributes a host persists, so
//! that `/Schemas` and `/ResourceTypes` advertise exactly those, and a write setting one
//! of the others is refused (or, with
//! [`ValidationOptions::ignore_unsupported_attributes`](super::ValidationOptions::ignore_unsupported_attributes),
//! dropped) instead of being silently lost.

use std::sync::Arc;

use super::attribute::Attribute;
use super::builtin;
use super::definition::{ResourceType, Schema, SchemaExtension};
use super::registry::{RegistryError, SchemaRegistry};

/// What to keep of one top-level attribute: all of it, or some sub-attributes.
enum Keep<'a> {
    Whole,
    Subs(Vec<&'a str>),
}

impl Schema {
    /// This schema with only the attributes `keep` names; the others are recorded in
    /// [`omitted`](Schema::omitted) (and [`Attribute::omitted_sub_attributes`]).
    ///
    /// Each path is an attribute (`emails`: all of it) or `attribute.subAttribute`
    /// (`name.givenName`: only the named sub-attributes), case-insensitive. A path that
    /// names nothing, or leaving out a required attribute or sub-attribute, is an error.
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.schema("urn:ietf:params:scim:schemas:core:2.0:User").unwrap();
    /// let narrow = user.narrow(&["userName", "name.givenName", "emails"]).unwrap();
    /// assert_eq!(narrow.attributes.len(), 3);
    /// assert_eq!(narrow.attribute_named("name").unwrap().sub_attributes.len(), 1);
    /// assert!(narrow.omits("title", None) && narrow.omits("name", Some("familyName")));
    /// assert!(!narrow.omits("emails", Some("value")));
    /// assert!(user.narrow(&["userName", "shoeSize"]).is_err());
    /// assert!(user.narrow(&["title"]).is_err()); // userName is required
    /// ```
    pub fn narrow(&self, keep: &[&str]) -> Result<Schema, RegistryError> {
        let mut wanted: Vec<(&Attribute, Keep<'_>)> = Vec::new();
        for path in keep {
            let (name, sub) = match path.split_once('.') {
                Some((name, sub)) => (name, Some(sub)),
                None => (*path, None),
            };
            let attribute = self.attribute_named(name).ok_or_else(|| {
                RegistryError::Invalid(format!("{path}: no such attribute in {}", self.id))
            })?;
            let sub = match sub {
                Some(sub) => Some(attribute.sub_attribute(sub).ok_or_else(|| {
                    RegistryError::Invalid(format!("{path}: no such sub-attribute in {}", self.id))
                })?),
                None => None,
            };
            let slot = match wanted.iter_mut().find(|(a, _)| a.name == attribute.name) {
                Some((_, slot)) => slot,
                None => {
                    wanted.push((attribute, Keep::Subs(Vec::new())));
                    match wanted.last_mut() {
                        Some((_, slot)) => slot,
                        None => continue,
                    }
                }
            };
            match (sub, &mut *slot) {
                (None, _) => *slot = Keep::Whole,
                (Some(sub), Keep::Subs(subs)) => subs.push(&sub.name),
                (Some(_), Keep::Whole) => {}
            }
        }
        let mut narrowed = Schema::new(self.id.clone(), self.name.clone());
        narrowed.description = self.description.clone();
        narrowed.omitted = self.omitted.clone();
        for attribute in &self.attributes {
            match wanted.iter().find(|(a, _)| a.name == attribute.name) {
                None if attribute.required => {
                    return Err(RegistryError::Invalid(format!(
                        "{}: the attribute is required and cannot be left out",
                        attribute.name
                    )));
                }
                None => narrowed.omitted.push(attribute.name.clone()),
                Some((_, Keep::Whole)) => narrowed.attributes.push(attribute.clone()),
                Some((_, Keep::Subs(subs))) => {
                    let mut kept = attribute.clone();
                    let (inside, outside): (Vec<_>, Vec<_>) = attribute
                        .sub_attributes
                        .iter()
                        .cloned()
                        .partition(|s| subs.contains(&s.name.as_str()));
                    if let Some(required) = outside.iter().find(|s| s.required) {
                        return Err(RegistryError::Invalid(format!(
                            "{}.{}: the sub-attribute is required and cannot be left out",
                            attribute.name, required.name
                        )));
                    }
                    kept.sub_attributes = inside;
                    kept.omitted_sub_attributes
                        .extend(outside.into_iter().map(|s| s.name));
                    narrowed.attributes.push(kept);
                }
            }
        }
        Ok(narrowed)
    }

    /// Whether a narrowed schema left out the attribute `name` (or its sub-attribute
    /// `sub`); `false` for names it never defined.
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// let group = registry.schema("urn:ietf:params:scim:schemas:core:2.0:Group").unwrap();
    /// let narrow = group.narrow(&["displayName", "members.value"]).unwrap();
    /// assert!(narrow.omits("members", Some("display")));
    /// assert!(!narrow.omits("shoeSize", None));
    /// ```
    pub fn omits(&self, name: &str, sub: Option<&str>) -> bool {
        if self.omitted.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            return true;
        }
        match (sub, self.attribute_named(name)) {
            (Some(sub), Some(attribute)) => attribute
                .omitted_sub_attributes
                .iter()
                .any(|o| o.eq_ignore_ascii_case(sub)),
            _ => false,
        }
    }
}

impl ResourceType {
    /// This resource type with only the attributes `keep` names, in its core schema and
    /// its extensions (an extension none of whose attributes is kept is left out whole).
    ///
    /// Paths are those of [`Schema::narrow`]; an extension attribute is prefixed with its
    /// URN (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`).
    /// The common attributes (`id`, `externalId`, `meta`, `schemas`) are always kept and
    /// may be named.
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.resource_type("User").unwrap();
    /// let narrow = user.narrow(&["userName", "externalId", "active"]).unwrap();
    /// assert!(narrow.extensions.is_empty());
    /// assert!(narrow.omits(Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"), "department", None));
    /// assert!(narrow.omits(None, "title", None) && !narrow.omits(None, "active", None));
    /// ```
    pub fn narrow(&self, keep: &[&str]) -> Result<ResourceType, RegistryError> {
        let mut core: Vec<&str> = Vec::new();
        let mut by_extension: Vec<Vec<&str>> = vec![Vec::new(); self.extensions.len()];
        for path in keep {
            let qualified = |urn: &str| {
                path.get(..urn.len())
                    .filter(|p| p.eq_ignore_ascii_case(urn))
                    .and_then(|_| path.get(urn.len()..)?.strip_prefix(':'))
            };
            if let Some((slot, rest)) = self
                .extensions
                .iter()
                .zip(by_extension.iter_mut())
                .find_map(|(e, slot)| Some((slot, qualified(&e.schema.id)?)))
            {
                slot.push(rest);
                continue;
            }
            let rest = qualified(&self.schema.id).unwrap_or(path);
            let top = rest.split('.').next().unwrap_or(rest);
            if self.schema.attribute_named(top).is_none()
                && builtin::common_attribute(top).is_some()
            {
                continue;
            }
            core.push(rest);
        }
        let mut narrowed = ResourceType::new(
            self.name.clone(),
            self.endpoint.clone(),
            Arc::new(self.schema.narrow(&core)?),
        );
        narrowed.description = self.description.clone();
        narrowed.omitted_extensions = self.omitted_extensions.clone();
        for (extension, kept) in self.extensions.iter().zip(by_extension) {
            if kept.is_empty() {
                if extension.required {
                    return Err(RegistryError::Invalid(format!(
                        "{}: the extension is required and cannot be left out",
                        extension.schema.id
                    )));
                }
                narrowed
                    .omitted_extensions
                    .push(extension.schema.id.clone());
                continue;
            }
            narrowed.extensions.push(SchemaExtension {
                schema: Arc::new(extension.schema.narrow(&kept)?),
                required: extension.required,
            });
        }
        Ok(narrowed)
    }

    /// Whether narrowing left out the attribute `name` (sub-attribute `sub`) of the
    /// schema `urn` (`None`: the core schema), or the whole extension `urn`.
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let mut registry = SchemaRegistry::with_builtins();
    /// let user = registry.narrow("User", &["userName", "name.familyName"]).unwrap();
    /// assert!(user.omits(None, "name", Some("givenName")));
    /// assert!(!user.omits(None, "name", Some("familyName")));
    /// ```
    pub fn omits(&self, urn: Option<&str>, name: &str, sub: Option<&str>) -> bool {
        let schema = match urn {
            None => &self.schema,
            Some(urn) if urn.eq_ignore_ascii_case(&self.schema.id) => &self.schema,
            Some(urn) if self.omits_extension(urn) => return true,
            Some(urn) => match self.extension_schema(urn) {
                Some(schema) => schema,
                None => return false,
            },
        };
        schema.omits(name, sub)
    }

    /// Whether `key`, a top-level member of a resource body, is an extension narrowing
    /// left out (`urn:…`) or an attribute qualified by one (`urn:…:attribute`).
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let mut registry = SchemaRegistry::with_builtins();
    /// let user = registry.narrow("User", &["userName"]).unwrap();
    /// let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    /// assert!(user.omits_extension(enterprise));
    /// assert!(user.omits_extension(&format!("{enterprise}:department")));
    /// assert!(!user.omits_extension("urn:ietf:params:scim:schemas:core:2.0:User:userName"));
    /// ```
    pub fn omits_extension(&self, key: &str) -> bool {
        self.omitted_extensions.iter().any(|urn| {
            key.get(..urn.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(urn))
                && key
                    .get(urn.len()..)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
        })
    }
}

impl SchemaRegistry {
    /// Narrows the registered resource type `resource_type` to the attributes `keep`
    /// names ([`ResourceType::narrow`]) and registers the narrowed schemas in place of
    /// the full ones, so `/Schemas` and `/ResourceTypes` advertise exactly what the host
    /// persists. An extension left out whole is unregistered unless another resource
    /// type uses it.
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let mut registry = SchemaRegistry::with_builtins();
    /// registry.narrow("User", &["userName", "name.givenName", "name.familyName",
    ///     "emails", "active", "externalId"]).unwrap();
    /// let user = registry.schema("urn:ietf:params:scim:schemas:core:2.0:User").unwrap();
    /// assert!(user.attribute_named("title").is_none());
    /// assert_eq!(registry.schemas().count(), 2); // User and Group: no EnterpriseUser
    /// assert!(registry.narrow("Device", &["x"]).is_err());
    /// ```
    pub fn narrow(
        &mut self,
        resource_type: &str,
        keep: &[&str],
    ) -> Result<Arc<ResourceType>, RegistryError> {
        let current = self
            .resource_type(resource_type)
            .ok_or_else(|| RegistryError::UnknownResourceType(resource_type.to_owned()))?;
        let narrowed = Arc::new(current.narrow(keep)?);
        let name = narrowed.name.clone();
        let mut types = std::mem::take(self.resource_types_mut());
        for slot in &mut types {
            if slot.name == name {
                *slot = narrowed.clone();
            }
        }
        let still_used = |urn: &str| types.iter().any(|rt| rt.schemas().any(|s| s.id == urn));
        let schemas: Vec<Arc<Schema>> = std::mem::take(self.schemas_mut())
            .into_iter()
            .filter(|s| !narrowed.omitted_extensions.contains(&s.id) || still_used(&s.id))
            .map(|s| {
                narrowed
                    .schemas()
                    .find(|n| n.id == s.id)
                    .cloned()
                    .unwrap_or(s)
            })
            .collect();
        *self.schemas_mut() = schemas;
        *self.resource_types_mut() = types;
        Ok(narrowed)
    }
}
