"""Generate schemas/cxf-1.0.schema.json (JSON Schema 2020-12, structural rules of CXF 1.0).

Run: python3 schemas/tools/gen_cxf_schema.py. Semantic rules live in docs/validation-rules.md.
"""
import json
import os
EF = lambda t: {"$ref": "#/$defs/EditableField", "description": f"EditableField; fieldType SHOULD be `{t}`."}
def ef(t): return EF(t)
B64 = {"$ref": "#/$defs/b64url"}
def arr(item, optional, desc):
    a = {"type": "array", "items": item, "description": desc}
    if optional: a["minItems"] = 1
    return a
EXT = arr({"$ref": "#/$defs/Extension"}, True, "Extensions (§3.5). Optional array: omitted when empty (§2.1.2).")

creds = {}
def cred(name, sec, desc, props, required=()):
    creds[name] = {
        "type": "object",
        "description": f"`{name}` credential (§{sec}). {desc}",
        "properties": {"type": {"const": name}, **props},
        "required": ["type", *required],
        "additionalProperties": True,
    }

cred("address", "3.3.1", "A postal address.", {
    "streetAddress": ef("string"), "postalCode": ef("string"), "city": ef("string"),
    "territory": ef("subdivision-code"), "country": ef("country-code"), "tel": ef("string")})
cred("api-key", "3.3.2", "Key for an application programming interface.", {
    "key": ef("concealed-string"), "username": ef("string"), "keyType": ef("string"),
    "url": ef("string"), "validFrom": ef("date"), "expiryDate": ef("date")})
cred("basic-auth", "3.3.3", "Username/password login (RFC 7617 or a web form); SHOULD come with an Item scope.", {
    "username": ef("string"), "password": ef("concealed-string")})
cred("credit-card", "3.3.4", "A payment card.", {
    "number": ef("concealed-string"), "fullName": ef("string"), "cardType": ef("string"),
    "verificationNumber": ef("concealed-string"), "pin": ef("concealed-string"),
    "expiryDate": ef("year-month"), "validFrom": ef("year-month")})
cred("custom-fields", "3.3.5", "A group of user-defined fields.", {
    "id": {"$ref": "#/$defs/identifier"}, "label": {"type": "string", "description": "Section title."},
    "fields": arr({"$ref": "#/$defs/EditableField"}, False, "The fields, any fieldType. Required array."),
    "extensions": EXT}, ["fields"])
cred("drivers-license", "3.3.6", "Driver's licence (ISO 18013-1 data).", {
    "fullName": ef("string"), "birthDate": ef("date"), "issueDate": ef("date"), "expiryDate": ef("date"),
    "issuingAuthority": ef("string"), "territory": ef("subdivision-code"), "country": ef("country-code"),
    "licenseNumber": ef("string"), "licenseClass": ef("string")})
cred("file", "3.3.7", "Reference to a file whose bytes travel outside the JSON.", {
    "id": {"$ref": "#/$defs/identifier"}, "name": {"type": "string", "description": "Original file name with extension."},
    "decryptedSize": {"type": "integer", "minimum": 0, "description": "Size in bytes of the plaintext content."},
    "integrityHash": {"allOf": [B64], "description": "SHA-256 (32 bytes) of the decrypted content."}},
    ["id", "name", "decryptedSize", "integrityHash"])
cred("generated-password", "3.3.8", "A password from a password generator.", {
    "password": {"type": "string", "description": "The generated password."}}, ["password"])
cred("identity-document", "3.3.9", "National ID, SSN, TIN, health card, VAT number...", {
    "issuingCountry": ef("country-code"), "documentNumber": ef("string"), "identificationNumber": ef("string"),
    "nationality": ef("string"), "fullName": ef("string"), "birthDate": ef("date"), "birthPlace": ef("string"),
    "sex": ef("string"), "issueDate": ef("date"), "expiryDate": ef("date"), "issuingAuthority": ef("string")})
cred("item-reference", "3.3.10", "Logical link to another item.", {
    "reference": {"$ref": "#/$defs/LinkedItem"}}, ["reference"])
cred("note", "3.3.11", "Free text.", {"content": ef("string")}, ["content"])
cred("passkey", "3.3.12", "A WebAuthn credential with its private key.", {
    "credentialId": {"allOf": [B64], "description": "WebAuthn rawId."},
    "rpId": {"type": "string", "description": "RP ID used at registration."},
    "username": {"type": "string", "description": "user.name (editable)."},
    "userDisplayName": {"type": "string", "description": "user.displayName (editable)."},
    "userHandle": {"allOf": [B64], "description": "user.id (1-64 bytes)."},
    "key": {"allOf": [B64], "description": "Private key, PKCS#8 ASN.1 DER."},
    "fido2Extensions": {"$ref": "#/$defs/Fido2Extensions"}},
    ["credentialId", "rpId", "username", "userDisplayName", "userHandle", "key"])
cred("passport", "3.3.13", "Passport (ICAO Doc 9303 data).", {
    "issuingCountry": ef("country-code"), "passportType": ef("string"), "passportNumber": ef("string"),
    "nationalIdentificationNumber": ef("string"), "nationality": ef("string"), "fullName": ef("string"),
    "birthDate": ef("date"), "birthPlace": ef("string"), "sex": ef("string"), "issueDate": ef("date"),
    "expiryDate": ef("date"), "issuingAuthority": ef("string")})
cred("person-name", "3.3.14", "Name parts (Unicode LDML Part 8).", {
    k: ef("string") for k in ["title", "given", "givenInformal", "given2", "surnamePrefix", "surname",
                               "surname2", "credentials", "generation"]})
cred("ssh-key", "3.3.15", "An SSH key pair.", {
    "keyType": {"type": "string", "description": "IANA SSH public key algorithm name, e.g. ssh-ed25519."},
    "privateKey": {"allOf": [B64], "description": "Private key, PKCS#8 ASN.1 DER."},
    "keyComment": {"type": "string", "description": "Plain string comment."},
    "creationDate": ef("date"), "expiryDate": ef("date"), "keyGenerationSource": ef("string")},
    ["keyType", "privateKey"])
cred("totp", "3.3.16", "Time-based one-time password generator.", {
    "secret": {"type": "string", "description": "RFC 4648 §6 Base32 shared secret."},
    "period": {"type": "integer", "minimum": 0, "description": "Time step in seconds (default SHOULD be 30)."},
    "digits": {"type": "integer", "minimum": 0, "description": "Digits shown (default SHOULD be 6)."},
    "username": {"type": "string", "description": "Account name (strongly recommended)."},
    "algorithm": {"type": "string", "description": "Known values: sha1, sha256, sha512; importers MUST ignore a TOTP with an unknown one.", "examples": ["sha1", "sha256", "sha512"]},
    "issuer": {"type": "string", "description": "RP that issued it (strongly recommended)."}},
    ["secret", "period", "digits", "algorithm"])
cred("wifi", "3.3.17", "Wi-Fi network credentials.", {
    "ssid": ef("string"), "networkSecurityType": ef("wifi-network-security-type"),
    "passphrase": ef("concealed-string"), "hidden": ef("boolean")})

names = list(creds)
assert len(names) == 17
defs = {
  "b64url": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$",
             "description": "RFC 4648 §5 base64url, unpadded (Appendix A convention; the spec itself states no padding rule). Byte limits apply to the decoded value."},
  "identifier": {"allOf": [{"$ref": "#/$defs/b64url"}], "maxLength": 86,
                 "description": "Opaque machine-generated identifier: at most 64 bytes, base64url (86 characters unpadded); unique within an exchanged Account (§1.3)."},
  "timestamp": {"type": "integer", "minimum": 0, "maximum": 18446744073709551615,
                "description": "UNIX time in seconds (uint .size 8)."},
  "Version": {"type": "object", "description": "Format level (§3.1.1); the only published level is {major: 1, minor: 0}.",
              "properties": {"major": {"type": "integer", "minimum": 0, "maximum": 255, "description": "Incompatible changes."},
                             "minor": {"type": "integer", "minimum": 0, "maximum": 255, "description": "Additive changes."}},
              "required": ["major", "minor"], "additionalProperties": True},
  "Account": {"type": "object", "description": "An exported user account (§3.2.1).",
              "properties": {"id": {"$ref": "#/$defs/identifier"},
                             "username": {"type": "string", "description": "Account pseudonym; empty string when none."},
                             "email": {"type": "string", "description": "Email the account was registered with."},
                             "fullName": {"type": "string", "description": "The user's full name."},
                             "collections": arr({"$ref": "#/$defs/Collection"}, False, "Collections owned by this account. Required array."),
                             "items": arr({"$ref": "#/$defs/Item"}, False, "Items owned by this account. Required array."),
                             "extensions": EXT},
              "required": ["id", "username", "email", "collections", "items"], "additionalProperties": True},
  "Collection": {"type": "object", "description": "A folder/vault grouping items by reference (§3.2.2).",
                 "properties": {"id": {"$ref": "#/$defs/identifier"},
                                "creationAt": {"$ref": "#/$defs/timestamp"}, "modifiedAt": {"$ref": "#/$defs/timestamp"},
                                "title": {"type": "string", "description": "Display name."},
                                "subtitle": {"type": "string", "description": "Description."},
                                "items": arr({"$ref": "#/$defs/LinkedItem"}, False, "Member items (references). Required array."),
                                "subCollections": arr({"$ref": "#/$defs/Collection"}, True, "Nested collections. Optional array."),
                                "extensions": EXT},
                 "required": ["id", "title", "items"], "additionalProperties": True},
  "LinkedItem": {"type": "object", "description": "Reference to an Item, possibly of another account (§3.2.2.1).",
                 "properties": {"item": {"$ref": "#/$defs/identifier"},
                                "account": {"allOf": [{"$ref": "#/$defs/identifier"}], "description": "Owning account; absent means the current one."}},
                 "required": ["item"], "additionalProperties": True},
  "Item": {"type": "object", "description": "A vault entry holding one or more credentials (§3.2.3).",
           "properties": {"id": {"$ref": "#/$defs/identifier"},
                          "creationAt": {"$ref": "#/$defs/timestamp"}, "modifiedAt": {"$ref": "#/$defs/timestamp"},
                          "title": {"type": "string", "description": "User-defined name."},
                          "subtitle": {"type": "string", "description": "Description."},
                          "favorite": {"type": "boolean", "description": "Starred in the UI."},
                          "scope": {"$ref": "#/$defs/CredentialScope"},
                          "credentials": arr({"$ref": "#/$defs/Credential"}, False, "The credentials. Required array."),
                          "tags": arr({"type": "string"}, True, "User tags. Optional array."),
                          "extensions": EXT},
           "required": ["id", "title", "credentials"], "additionalProperties": True},
  "CredentialScope": {"type": "object", "description": "Where an item's credentials may be offered (§3.2.4).",
                      "properties": {"urls": arr({"type": "string"}, False, "URIs (SHOULD be RFC 3986). Required array."),
                                     "androidApps": arr({"$ref": "#/$defs/AndroidAppId"}, False, "Validated Android apps. Required array.")},
                      "required": ["urls", "androidApps"], "additionalProperties": True},
  "AndroidAppId": {"type": "object", "description": "An Android application (§3.2.4.1).",
                   "properties": {"bundleId": {"type": "string", "description": "Application id, e.g. com.example.app."},
                                  "certificate": {"$ref": "#/$defs/AndroidAppCertificateFingerprint"},
                                  "name": {"type": "string", "description": "Human-palatable app name (recommended)."}},
                   "required": ["bundleId"], "additionalProperties": True},
  "AndroidAppCertificateFingerprint": {"type": "object", "description": "Hash of the app's signing certificate (§3.2.4.1.1).",
      "properties": {"fingerprint": {"allOf": [{"$ref": "#/$defs/b64url"}], "description": "Raw digest bytes, base64url."},
                     "hashAlg": {"type": "string", "description": "Hash algorithm; known values sha256 and sha512 (PS reading) or sha1 (RD-era code).", "examples": ["sha256", "sha512", "sha1"]}},
      "required": ["fingerprint", "hashAlg"], "additionalProperties": True},
  "EditableField": {"type": "object", "description": "A typed, user-editable value (§3.4). The value is always a JSON string.",
      "properties": {"id": {"$ref": "#/$defs/identifier"},
                     "fieldType": {"type": "string", "description": "How to read and render value. Known values: string, concealed-string, email, number, boolean, date, year-month, wifi-network-security-type, country-code, subdivision-code. Unknown values are allowed and read as string.",
                                   "examples": ["string", "concealed-string", "email", "number", "boolean", "date", "year-month", "wifi-network-security-type", "country-code", "subdivision-code"]},
                     "value": {"type": "string", "description": "The value, encoded as fieldType says."},
                     "label": {"type": "string", "description": "User-facing label."},
                     "extensions": EXT},
      "required": ["fieldType", "value"], "additionalProperties": True},
  "Extension": {"type": "object", "description": "Extension object discriminated by name (§3.5). Unknown names are allowed.",
      "properties": {"name": {"type": "string", "description": "Registered extension identifier."}},
      "required": ["name"], "additionalProperties": True,
      "if": {"properties": {"name": {"const": "shared"}}, "required": ["name"]},
      "then": {"$ref": "#/$defs/SharedExtension"}},
  "SharedExtension": {"type": "object", "description": "The `shared` extension: who else has access to a Collection or Item.",
      "properties": {"name": {"const": "shared"},
                     "accessors": arr({"$ref": "#/$defs/SharingAccessor"}, False, "Accounts or groups with access. Required array.")},
      "required": ["name", "accessors"], "additionalProperties": True},
  "SharingAccessor": {"type": "object", "description": "One user or group with access.",
      "properties": {"type": {"type": "string", "description": "user or group; unknown types are ignored by importers.", "examples": ["user", "group"]},
                     "accountId": {"$ref": "#/$defs/identifier"},
                     "name": {"type": "string", "description": "Account username or group name."},
                     "permissions": arr({"type": "string", "examples": ["read", "readSecret", "update", "create", "delete", "share", "manage"]}, False,
                                        "Granted permissions; unknown values are dropped by importers. Required array.")},
      "required": ["type", "accountId", "name", "permissions"], "additionalProperties": True},
  "Fido2Extensions": {"type": "object", "description": "WebAuthn extension state of a passkey (§3.3.12.2).",
      "properties": {"hmacCredentials": {"$ref": "#/$defs/Fido2HmacCredentials"},
                     "credBlob": {"allOf": [{"$ref": "#/$defs/b64url"}], "description": "CTAP2.1 credBlob bytes."},
                     "largeBlob": {"$ref": "#/$defs/Fido2LargeBlob"},
                     "payments": {"type": "boolean", "description": "Enabled for Secure Payment Confirmation."}},
      "additionalProperties": True},
  "Fido2HmacCredentials": {"type": "object", "description": "prf / hmac-secret seeds (§3.3.12.3).",
      "properties": {"algorithm": {"type": "string", "description": "Only defined value: hmac-sha256.", "examples": ["hmac-sha256"]},
                     "credWithUV": {"allOf": [{"$ref": "#/$defs/b64url"}], "description": "Seed used with user verification (SHOULD be 32 bytes)."},
                     "credWithoutUV": {"allOf": [{"$ref": "#/$defs/b64url"}], "description": "Seed used without user verification (SHOULD be 32 bytes)."}},
      "required": ["algorithm", "credWithUV", "credWithoutUV"], "additionalProperties": True},
  "Fido2LargeBlob": {"type": "object", "description": "WebAuthn largeBlob content (§3.3.12.5).",
      "properties": {"uncompressedSize": {"type": "integer", "minimum": 0, "description": "Length after inflation."},
                     "data": {"allOf": [{"$ref": "#/$defs/b64url"}], "description": "Raw DEFLATE (RFC 1951) compressed blob."}},
      "required": ["uncompressedSize", "data"], "additionalProperties": True},
  "Credential": {"type": "object",
      "description": "A credential discriminated by `type` (§3.3). The 17 registered types are checked; other types are allowed and ignored.",
      "properties": {"type": {"type": "string", "description": "Credential type identifier.", "examples": names}},
      "required": ["type"], "additionalProperties": True,
      "allOf": [{"if": {"properties": {"type": {"const": n}}, "required": ["type"]},
                 "then": {"$ref": f"#/$defs/credential-{n}"}} for n in names]},
}
for n, s in creds.items():
    defs[f"credential-{n}"] = s

schema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://example.invalid/cxf-toolkit/schemas/cxf-1.0.schema.json",
  "title": "FIDO Credential Exchange Format (CXF) 1.0 — Header",
  "description": "Structural rules of a CXF 1.0 document (Proposed Standard 2025-08-14, errata 2026-03-09). Unknown members are allowed everywhere (§3.1.1). Semantic checks (id uniqueness, dates, keys, ...) are done by `cxf validate`, see docs/validation-rules.md.",
  "type": "object",
  "properties": {
    "version": {"$ref": "#/$defs/Version"},
    "exporterRpId": {"type": "string", "description": "Exporter identity as a WebAuthn RP ID."},
    "exporterDisplayName": {"type": "string", "description": "User-facing exporter name."},
    "timestamp": {"$ref": "#/$defs/timestamp"},
    "accounts": arr({"$ref": "#/$defs/Account"}, False, "Exported accounts. Required array."),
  },
  "required": ["version", "exporterRpId", "exporterDisplayName", "timestamp", "accounts"],
  "additionalProperties": True,
  "$defs": defs,
}
# every definition must have a description
for k, v in defs.items():
    assert "description" in v, k
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cxf-1.0.schema.json")
json.dump(schema, open(OUT, "w"), indent=2, ensure_ascii=False)
open(OUT, "a").write("\n")
