//! The dynamic [`Resource`]: a JSON object that knows its resource type.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use self::document::Document;
pub(crate) use self::document::Written;

use crate::error::ScimError;
use crate::schema::validate::{
    check_immutable, check_primary, check_required, check_schemas, drop_read_only,
};
use crate::schema::{Attribute, Mutability, ResourceType, ValidationOptions};

/// A SCIM resource: a JSON object (attribute names in the schema's canonical
/// spelling once validated) tagged with the name of its resource type.
///
/// Extension attributes live under their schema URN key, as on the wire
/// (RFC 7643 §3.3).
///
/// Two ways in: [`parse`](Self::parse) (bytes) and [`parse_value`](Self::parse_value)
/// (a JSON value) check and canonicalize against a [`ResourceType`]; the `_unchecked`
/// constructors wrap JSON as it is, for stores loading what they saved and for tests.
///
/// ```
/// use scim_core::Resource;
/// let r = Resource::from_value_unchecked("User", serde_json::json!({"id": "42", "userName": "bjensen"})).unwrap();
/// assert_eq!(r.id(), Some("42"));
/// assert_eq!(r.get("userName").and_then(|v| v.as_str()), Some("bjensen"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    /// Shared: a store gives all its resources of one type the same name.
    resource_type: Arc<str>,
    /// Shared: a store can hand out its stored document without copying it; the first
    /// change through [`attributes_mut`](Self::attributes_mut) copies it then.
    document: Arc<Document>,
}

mod document;

impl Resource {
    /// A resource of `resource_type` with the given attributes, taken as they are: no
    /// name is canonicalized and no value checked (for stores loading their own documents).
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let r = Resource::new_unchecked("Group", serde_json::Map::new());
    /// assert_eq!(r.resource_type(), "Group");
    /// ```
    pub fn new_unchecked(resource_type: impl Into<String>, attributes: Map<String, Value>) -> Self {
        Self::with_type_name(Arc::from(resource_type.into()), attributes)
    }

    /// [`new_unchecked`](Self::new_unchecked) with a resource type name already shared.
    pub(crate) fn with_type_name(resource_type: Arc<str>, attributes: Map<String, Value>) -> Self {
        Self {
            resource_type,
            document: Arc::new(Document::new(attributes)),
        }
    }

    /// The resource type name, shared.
    pub(crate) fn type_name(&self) -> Arc<str> {
        Arc::clone(&self.resource_type)
    }

    /// A resource from a JSON value, which must be an object, taken as it is (like
    /// [`new_unchecked`](Self::new_unchecked)); `None` for any other value.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert!(Resource::from_value_unchecked("User", serde_json::json!([1])).is_none());
    /// ```
    pub fn from_value_unchecked(resource_type: impl Into<String>, value: Value) -> Option<Self> {
        match value {
            Value::Object(attributes) => Some(Self::new_unchecked(resource_type, attributes)),
            _ => None,
        }
    }

    /// The resource type's name (`User`, `Group`, …).
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert_eq!(Resource::new_unchecked("User", Default::default()).resource_type(), "User");
    /// ```
    pub fn resource_type(&self) -> &str {
        &self.resource_type
    }

    /// The `id`, once the store has assigned one.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert_eq!(Resource::new_unchecked("User", Default::default()).id(), None);
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.attributes().get("id").and_then(Value::as_str)
    }

    /// `meta.version`, the resource's ETag value.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let r = Resource::from_value_unchecked("User", serde_json::json!({"meta": {"version": "W/\"3\""}})).unwrap();
    /// assert_eq!(r.version(), Some("W/\"3\""));
    /// ```
    pub fn version(&self) -> Option<&str> {
        self.attributes()
            .get("meta")
            .and_then(|m| m.get("version"))
            .and_then(Value::as_str)
    }

    /// A top-level attribute (or extension object, by URN) by its exact key.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let r = Resource::from_value_unchecked("User", serde_json::json!({"active": true})).unwrap();
    /// assert_eq!(r.get("active"), Some(&serde_json::json!(true)));
    /// ```
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.attributes().get(key)
    }

    /// The attributes.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert!(Resource::new_unchecked("User", Default::default()).attributes().is_empty());
    /// ```
    pub fn attributes(&self) -> &Map<String, Value> {
        self.document.attributes()
    }

    /// The attributes, mutably.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let mut r = Resource::new_unchecked("User", Default::default());
    /// r.attributes_mut().insert("userName".into(), "bjensen".into());
    /// assert_eq!(r.attributes().len(), 1);
    /// ```
    pub fn attributes_mut(&mut self) -> &mut Map<String, Value> {
        Arc::make_mut(&mut self.document).attributes_mut()
    }

    /// Whether the attributes' map is known to be at its exact size, so a store may keep
    /// it as it is rather than copy it into one: true of a resource the engine parsed
    /// from a request body (its parser makes each map at its size) while nothing has been
    /// added to or removed from its top level. A hint: `false` only costs the store a
    /// copy.
    pub(crate) fn is_exact_size(&self) -> bool {
        self.document.exact_size()
    }

    /// Marks the attributes' map as made at its exact size (see
    /// [`is_exact_size`](Self::is_exact_size)); ignored when the document is shared.
    pub(crate) fn mark_exact_size(&mut self) {
        if let Some(document) = Arc::get_mut(&mut self.document) {
            document.set_exact_size(true);
        }
    }

    /// Changes the attributes with `change`, which only removes members from the top
    /// level or changes them in place (validation, dropping passwords): the map stays
    /// known to be at its exact size when no member went.
    pub(crate) fn thin<R>(&mut self, change: impl FnOnce(&mut Map<String, Value>) -> R) -> R {
        let exact = self.is_exact_size();
        let before = self.attributes().len();
        let out = change(self.attributes_mut());
        if exact && self.attributes().len() == before {
            self.mark_exact_size();
        }
        out
    }

    /// What the engine wrote of the attributes into a response, kept for the next one.
    pub(crate) fn written(&self) -> &OnceLock<Written> {
        self.document.written()
    }

    /// The resource as a JSON object value.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let v = Resource::new_unchecked("User", Default::default()).into_value();
    /// assert!(v.is_object());
    /// ```
    pub fn into_value(self) -> Value {
        Value::Object(self.into_attributes())
    }

    /// The attributes, consuming the resource.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// assert!(Resource::new_unchecked("User", Default::default()).into_attributes().is_empty());
    /// ```
    pub fn into_attributes(self) -> Map<String, Value> {
        Arc::unwrap_or_clone(self.document).into_attributes()
    }

    /// Whether `self` and `other` share one document (a clone that neither has changed
    /// since): a copy-free check for stores and tests.
    ///
    /// ```
    /// # use scim_core::Resource;
    /// let a = Resource::from_value_unchecked("User", serde_json::json!({"userName": "b"})).unwrap();
    /// let mut b = a.clone();
    /// assert!(a.shares_document_with(&b));
    /// b.attributes_mut().insert("title".into(), "CEO".into());
    /// assert!(!a.shares_document_with(&b));
    /// ```
    pub fn shares_document_with(&self, other: &Resource) -> bool {
        Arc::ptr_eq(&self.document, &other.document)
    }
}

impl Resource {
    /// Parses a request body into a resource of type `rt`: enforces the size limit
    /// (`413`), JSON syntax (`400 invalidSyntax`), maps every attribute name to the
    /// schema's spelling (top level, sub-attributes, extension objects under their URN,
    /// and URN-qualified top-level keys such as
    /// `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"`,
    /// which move under their extension object), and checks or coerces every value by
    /// its attribute's type (`400 invalidValue` naming the attribute).
    ///
    /// `null` values and empty arrays are unassigned (RFC 7643 §2.5) and are dropped.
    /// Mutability and required attributes are checked later, by
    /// [`Resource::validate_for_create`] and [`Resource::validate_for_replace`].
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, schema::ValidationOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let body = br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
    ///                 "UserName":"bjensen","Active":"True"}"#;
    /// let user = Resource::parse(body, users, &ValidationOptions::default()).unwrap();
    /// assert_eq!(user.get("userName"), Some(&serde_json::json!("bjensen")));
    /// assert_eq!(user.get("active"), Some(&serde_json::json!(true)));
    ///
    /// let err = Resource::parse(br#"{"active":"yes"}"#, users, &ValidationOptions::default()).unwrap_err();
    /// assert_eq!(err.status().as_u16(), 400);
    /// assert!(err.detail().contains("active"));
    /// ```
    pub fn parse(
        bytes: &[u8],
        rt: &ResourceType,
        opts: &ValidationOptions,
    ) -> Result<Resource, ScimError> {
        Self::check_size(bytes.len(), opts)?;
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))?;
        Self::parse_value(value, rt, opts)
    }

    /// `413` for a resource of `len` bytes, past the limit of `opts`.
    pub(crate) fn check_size(len: usize, opts: &ValidationOptions) -> Result<(), ScimError> {
        if len > opts.max_resource_bytes {
            return Err(ScimError::payload_too_large(format!(
                "the resource is {len} bytes; the limit is {} bytes",
                opts.max_resource_bytes
            )));
        }
        Ok(())
    }

    /// Like [`Resource::parse`], for a body already parsed as JSON (a Bulk operation's
    /// `data`, a test fixture). The size limit is not checked here.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, schema::ValidationOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let groups = registry.resource_type("Group").unwrap();
    /// let g = Resource::parse_value(serde_json::json!({"DISPLAYNAME": "Admins"}), groups, &ValidationOptions::default()).unwrap();
    /// assert_eq!(g.get("displayName"), Some(&serde_json::json!("Admins")));
    /// assert!(Resource::parse_value(serde_json::json!("x"), groups, &ValidationOptions::default()).is_err());
    /// ```
    pub fn parse_value(
        value: Value,
        rt: &ResourceType,
        opts: &ValidationOptions,
    ) -> Result<Resource, ScimError> {
        let Value::Object(input) = value else {
            return Err(ScimError::invalid_syntax(
                "the body must be a JSON object holding one resource",
            ));
        };
        Ok(Resource::with_type_name(
            Arc::from(rt.name.as_str()),
            crate::schema::coerce::canonicalize_resource(input, rt, opts)?,
        ))
    }
}

/// Validation for create and replace; the checks themselves are the schema's
/// (`schema/validate.rs`), driven by the attribute characteristics.
impl Resource {
    /// Validates a parsed resource for creation (RFC 7644 §3.3): `schemas` names the core
    /// schema and every extension present, required attributes (and required
    /// sub-attributes and extensions) are present, readOnly values the client sent
    /// (`id`, `meta`, `groups`, …) are dropped, and at most one value of each multi-valued
    /// attribute is `primary`.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, schema::ValidationOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let opts = ValidationOptions::default();
    /// let body = br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
    ///                 "id":"client-chosen","userName":"bjensen","groups":[{"value":"g1"}]}"#;
    /// let mut user = Resource::parse(body, users, &opts).unwrap();
    /// user.validate_for_create(users, &opts).unwrap();
    /// assert!(user.get("id").is_none() && user.get("groups").is_none());
    ///
    /// let mut nameless = Resource::parse(br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}"#, users, &opts).unwrap();
    /// assert_eq!(nameless.validate_for_create(users, &opts).unwrap_err().scim_type().unwrap().as_str(), "invalidValue");
    /// ```
    pub fn validate_for_create(
        &mut self,
        rt: &ResourceType,
        opts: &ValidationOptions,
    ) -> Result<(), ScimError> {
        self.check_type(rt)?;
        self.thin(|attributes| check_schemas(attributes, rt, opts))?;
        self.thin(|attributes| drop_read_only(attributes, rt));
        check_required(self.attributes(), rt)?;
        check_primary(self.attributes(), rt)
    }

    /// Validates a parsed resource that replaces `existing` (RFC 7644 §3.5.1): everything
    /// [`Resource::validate_for_create`] checks, and immutable attributes that already
    /// have a value keep it (`400 mutability` otherwise; omitted ones are carried over).
    ///
    /// Immutability is checked for top-level attributes and the sub-attributes of
    /// singular complex attributes; the elements of a multi-valued attribute (a group's
    /// `members`) have no identity across a replace, so they may be added and removed.
    ///
    /// ```
    /// use scim_core::{Resource, ResourceType, schema::{Attribute, AttributeType, Mutability, Schema, ValidationOptions}};
    /// use std::sync::Arc;
    /// let schema = Arc::new(Schema::new("urn:example:Device", "Device")
    ///     .attribute(Attribute::new("serial", AttributeType::String).mutability(Mutability::Immutable)));
    /// let devices = ResourceType::new("Device", "/Devices", schema);
    /// let opts = ValidationOptions::default();
    /// let existing = Resource::parse_value(serde_json::json!({"schemas":["urn:example:Device"],"serial":"A1"}), &devices, &opts).unwrap();
    /// let mut changed = Resource::parse_value(serde_json::json!({"schemas":["urn:example:Device"],"serial":"B2"}), &devices, &opts).unwrap();
    /// let err = changed.validate_for_replace(&existing, &devices, &opts).unwrap_err();
    /// assert_eq!(err.scim_type().unwrap().as_str(), "mutability");
    /// ```
    pub fn validate_for_replace(
        &mut self,
        existing: &Resource,
        rt: &ResourceType,
        opts: &ValidationOptions,
    ) -> Result<(), ScimError> {
        self.check_type(rt)?;
        check_schemas(self.attributes_mut(), rt, opts)?;
        drop_read_only(self.attributes_mut(), rt);
        check_immutable(self.attributes_mut(), existing.attributes(), rt)?;
        check_required(self.attributes(), rt)?;
        check_primary(self.attributes(), rt)
    }

    fn check_type(&self, rt: &ResourceType) -> Result<(), ScimError> {
        if self.resource_type().eq_ignore_ascii_case(&rt.name) {
            Ok(())
        } else {
            Err(ScimError::internal(format!(
                "a {} resource was validated as a {}",
                self.resource_type(),
                rt.name
            )))
        }
    }
}

impl Resource {
    /// Takes from `stored` every `writeOnly` attribute (a password's hash) that this
    /// replacement does not carry, in the core schema and in each extension.
    ///
    /// RFC 7644 §3.5.1 lets a `PUT` clear what it omits, but a client can never read a
    /// writeOnly value back, so it cannot send it again: a `PUT` without `password`
    /// keeps the stored one. Every [`ResourceStore`](crate::ResourceStore) owes this in
    /// `replace`; a store of JSON documents calls this on the replacement, under the
    /// same lock or transaction that reads `stored` and writes the result.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let stored = Resource::from_value_unchecked("User", serde_json::json!({
    ///     "userName": "bjensen", "password": "$argon2id$v=19$…"})).unwrap();
    /// let mut replacement = Resource::from_value_unchecked("User", serde_json::json!({
    ///     "userName": "bjensen", "title": "CEO"})).unwrap();
    /// replacement.keep_write_only_from(&stored, users);
    /// assert_eq!(replacement.get("password"), stored.get("password"));
    /// assert_eq!(replacement.get("title"), Some(&serde_json::json!("CEO")));
    /// ```
    pub fn keep_write_only_from(&mut self, stored: &Resource, rt: &ResourceType) {
        let attributes = self.attributes_mut();
        keep_write_only(attributes, stored.attributes(), &rt.schema.attributes);
        for extension in &rt.extensions {
            let urn = &extension.schema.id;
            let Some(Value::Object(old)) = stored.get(urn) else {
                continue;
            };
            let mut new = match attributes.remove(urn) {
                Some(Value::Object(new)) => new,
                _ => Map::new(),
            };
            keep_write_only(&mut new, old, &extension.schema.attributes);
            if new.is_empty() {
                continue;
            }
            attributes.insert(urn.clone(), Value::Object(new));
            // The extension is there: `schemas` lists it (RFC 7643 §3).
            if let Some(Value::Array(schemas)) = attributes.get_mut("schemas")
                && !schemas
                    .iter()
                    .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)))
            {
                schemas.push(Value::String(urn.clone()));
            }
        }
    }
}

/// Copies each writeOnly attribute of `definitions` that `old` has and `new` lacks.
fn keep_write_only(
    new: &mut Map<String, Value>,
    old: &Map<String, Value>,
    definitions: &[Attribute],
) {
    for attribute in definitions
        .iter()
        .filter(|a| a.mutability == Mutability::WriteOnly)
    {
        if !new.contains_key(&attribute.name)
            && let Some(value) = old.get(&attribute.name)
        {
            new.insert(attribute.name.clone(), value.clone());
        }
    }
}
