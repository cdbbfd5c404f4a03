//! Credentials made of identity fields: address, driver's license, identity document,
//! passport, person name.

use crate::model::codec::record;

record! {
    /// A postal address (§3.3.1). `streetAddress` may hold several lines separated by `\n`.
    pub struct Address {
        /// Street and number, possibly multi-line.
        street_address: ef _ = "streetAddress" @ String,
        /// Postal code.
        postal_code: ef _ = "postalCode" @ String,
        /// City.
        city: ef _ = "city" @ String,
        /// ISO 3166-2 subdivision, e.g. `US-CA`.
        territory: ef _ = "territory" @ SubdivisionCode,
        /// ISO 3166-1 alpha-2 country.
        country: ef _ = "country" @ CountryCode,
        /// Telephone number.
        tel: ef _ = "tel" @ String,
    }
}

record! {
    /// A driver's license (§3.3.6), ISO 18013-1 mandatory data.
    pub struct DriversLicense {
        /// Holder's full name.
        full_name: ef _ = "fullName" @ String,
        /// Birth date.
        birth_date: ef _ = "birthDate" @ Date,
        /// Issue date.
        issue_date: ef _ = "issueDate" @ Date,
        /// Expiry date.
        expiry_date: ef _ = "expiryDate" @ Date,
        /// Issuing authority.
        issuing_authority: ef _ = "issuingAuthority" @ String,
        /// ISO 3166-2 subdivision.
        territory: ef _ = "territory" @ SubdivisionCode,
        /// ISO 3166-1 alpha-2 country.
        country: ef _ = "country" @ CountryCode,
        /// License number.
        license_number: ef _ = "licenseNumber" @ String,
        /// Vehicle classes.
        license_class: ef _ = "licenseClass" @ String,
    }
}

record! {
    /// An identity document (§3.3.9): national id, SSN, tax or health card number.
    pub struct IdentityDocument {
        /// ISO 3166-1 alpha-2 issuing country.
        issuing_country: ef _ = "issuingCountry" @ CountryCode,
        /// Document number (changes on re-issue).
        document_number: ef _ = "documentNumber" @ String,
        /// Stable identification number.
        identification_number: ef _ = "identificationNumber" @ String,
        /// Nationality.
        nationality: ef _ = "nationality" @ String,
        /// Full name.
        full_name: ef _ = "fullName" @ String,
        /// Birth date.
        birth_date: ef _ = "birthDate" @ Date,
        /// Birth place.
        birth_place: ef _ = "birthPlace" @ String,
        /// Sex.
        sex: ef _ = "sex" @ String,
        /// Issue date.
        issue_date: ef _ = "issueDate" @ Date,
        /// Expiry date.
        expiry_date: ef _ = "expiryDate" @ Date,
        /// Issuing authority.
        issuing_authority: ef _ = "issuingAuthority" @ String,
    }
}

record! {
    /// A passport (§3.3.13), ICAO Doc 9303 data.
    pub struct Passport {
        /// ISO 3166-1 alpha-2 issuing country.
        issuing_country: ef _ = "issuingCountry" @ CountryCode,
        /// ICAO 9303 document code, e.g. `P`.
        passport_type: ef _ = "passportType" @ String,
        /// Passport number.
        passport_number: ef _ = "passportNumber" @ String,
        /// National identification number.
        national_identification_number: ef _ = "nationalIdentificationNumber" @ String,
        /// Nationality.
        nationality: ef _ = "nationality" @ String,
        /// Full name.
        full_name: ef _ = "fullName" @ String,
        /// Birth date.
        birth_date: ef _ = "birthDate" @ Date,
        /// Birth place.
        birth_place: ef _ = "birthPlace" @ String,
        /// Sex.
        sex: ef _ = "sex" @ String,
        /// Issue date.
        issue_date: ef _ = "issueDate" @ Date,
        /// Expiry date.
        expiry_date: ef _ = "expiryDate" @ Date,
        /// Issuing authority.
        issuing_authority: ef _ = "issuingAuthority" @ String,
    }
}

record! {
    /// A person's name in parts (§3.3.14, Unicode LDML Part 8).
    pub struct PersonName {
        /// Title, e.g. `Dr.`.
        title: ef _ = "title" @ String,
        /// Given name.
        given: ef _ = "given" @ String,
        /// Informal given name.
        given_informal: ef _ = "givenInformal" @ String,
        /// Second given name.
        given2: ef _ = "given2" @ String,
        /// Surname prefix, e.g. `van`.
        surname_prefix: ef _ = "surnamePrefix" @ String,
        /// Surname.
        surname: ef _ = "surname" @ String,
        /// Second surname.
        surname2: ef _ = "surname2" @ String,
        /// Credentials, e.g. `PhD`.
        credentials: ef _ = "credentials" @ String,
        /// Generation, e.g. `Jr.`.
        generation: ef _ = "generation" @ String,
    }
}
