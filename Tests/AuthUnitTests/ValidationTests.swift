import Testing
@testable import AuthCore

@Suite struct ValidationTests {
    // MARK: usernames

    @Test func goodUsernamesPass() {
        for name in ["abc", "Alice", "a.b_c-d", "9lives", "x1", "1.0", "A" + String(repeating: "b", count: 79)] where name.count >= 3 {
            #expect(Validation.username(name) == [], "\(name)")
        }
    }

    @Test func usernameLengthIs3To80() {
        #expect(Validation.username("ab") == [Validation.usernameLength])
        #expect(Validation.username("abc") == [])
        #expect(Validation.username(String(repeating: "a", count: 80)) == [])
        #expect(Validation.username(String(repeating: "a", count: 81)) == [Validation.usernameLength])
        #expect(Validation.usernameLength == "Length must be between 3 and 80.")
    }

    @Test func usernameCharactersAreLimited() {
        for name in ["al ice", "alice!", "alïce", "ali@ce", "user/x", "名前です"] {
            #expect(Validation.username(name) == [Validation.usernameCharacters], "\(name)")
        }
        #expect(Validation.usernameCharacters
            == "May contain only letters, digits, '.', '_' and '-', and must start with a letter or digit.")
    }

    @Test func usernameMustStartWithLetterOrDigit() {
        for name in [".alice", "_alice", "-alice"] {
            #expect(Validation.username(name) == [Validation.usernameCharacters], "\(name)")
        }
    }

    @Test func usernameMustNotBeAllDigits() {
        #expect(Validation.username("12345") == [Validation.usernameDigits])
        #expect(Validation.usernameDigits == "Must not consist of digits only.")
        #expect(Validation.username("12345a") == [])
    }

    @Test func everyUsernameRuleIsReportedAtOnce() {
        #expect(Validation.username("12") == [Validation.usernameLength, Validation.usernameDigits])
        #expect(Validation.username("_!") == [Validation.usernameLength, Validation.usernameCharacters])
        #expect(Validation.username("") == [Validation.usernameLength])
    }

    // MARK: emails

    @Test func validEmailsPass() {
        for email in ["a@b.co", "alice@example.com", "first.last+tag@sub.example.org", "o'neil@x-y.io", "A1@EXAMPLE.COM"] {
            #expect(Validation.email(email) == [], "\(email)")
        }
    }

    @Test func invalidEmailsAreRefused() {
        for email in ["", "plain", "@example.com", "alice@", "alice@localhost", "a@b.c", "a..b@example.com",
                      ".a@example.com", "a.@example.com", "a@-example.com", "a@example-.com", "a@@example.com",
                      "a b@example.com", "a@example..com", "a@example.c0m", "ä@example.com", "a@exämple.com"] {
            #expect(Validation.email(email) == [Validation.emailInvalid], "\(email)")
        }
        #expect(Validation.emailInvalid == "Not a valid email address.")
    }

    @Test func emailLongerThan120IsRefused() {
        let local = String(repeating: "a", count: 60) + "@"
        let ok = local + String(repeating: "b", count: 55) + ".com"
        #expect(ok.count == 120)
        #expect(Validation.email(ok) == [])
        let long = local + String(repeating: "b", count: 56) + ".com"
        #expect(long.count == 121)
        #expect(Validation.email(long) == [Validation.emailLength])
        #expect(Validation.emailLength == "Longer than maximum length 120.")
    }

    @Test func longAndInvalidEmailReportsBoth() {
        let bad = String(repeating: "a", count: 130)
        #expect(Validation.email(bad) == [Validation.emailInvalid, Validation.emailLength])
    }

    // MARK: passwords

    @Test func goodPasswordPasses() {
        #expect(Validation.password("Secret#123") == [])
        #expect(Validation.password("Ünïcødé#9x") == [])
    }

    @Test func eachComplexityRuleIsReportedAtOnce() {
        #expect(Validation.password("") == [
            Validation.passwordLength, Validation.passwordLower, Validation.passwordUpper,
            Validation.passwordDigit, Validation.passwordSpecial,
        ])
        #expect(Validation.password("abc") == [
            Validation.passwordLength, Validation.passwordUpper, Validation.passwordDigit, Validation.passwordSpecial,
        ])
        #expect(Validation.password("abcdefgh") == [Validation.passwordUpper, Validation.passwordDigit, Validation.passwordSpecial])
        #expect(Validation.password("ABCDEFG1!") == [Validation.passwordLower])
        #expect(Validation.password("abcdefg1!") == [Validation.passwordUpper])
        #expect(Validation.password("Abcdefgh!") == [Validation.passwordDigit])
        #expect(Validation.password("Abcdefgh1") == [Validation.passwordSpecial])
        #expect(Validation.password("Ab1!") == [Validation.passwordLength])
    }

    @Test func messagesAreTheContractsWording() {
        #expect(Validation.passwordLength == "Shorter than minimum length 8.")
        #expect(Validation.passwordTooLong == "Longer than maximum length 72 bytes.")
        #expect(Validation.passwordNUL == "Must not contain a NUL character.")
        #expect(Validation.missing == "Missing data for required field.")
    }

    @Test func passwordOf72BytesIsAccepted() {
        let p = "Aa1!" + String(repeating: "x", count: 68)
        #expect(p.utf8.count == 72)
        #expect(Validation.password(p) == [])
        #expect(Validation.loginPassword(p) == [])
    }

    @Test func passwordOf73BytesIsRefused() {
        let p = "Aa1!" + String(repeating: "x", count: 69)
        #expect(Validation.password(p) == [Validation.passwordTooLong])
        #expect(Validation.loginPassword(p) == [Validation.passwordTooLong])
    }

    @Test func multiByteCharactersCountInBytes() {
        // 39 characters, 73 bytes: "é" is two bytes in UTF-8.
        let p = "Aa1!" + String(repeating: "é", count: 34) + "x"
        #expect(p.count == 39)
        #expect(p.utf8.count == 73)
        #expect(Validation.password(p) == [Validation.passwordTooLong])
        let fits = "Aa1!" + String(repeating: "é", count: 34)
        #expect(fits.utf8.count == 72)
        #expect(Validation.password(fits) == [])
    }

    @Test func passwordWithNULIsRefused() {
        #expect(Validation.password("Secret#1\0x") == [Validation.passwordNUL])
        #expect(Validation.loginPassword("a\0") == [Validation.passwordNUL])
    }

    @Test func loginChecksNoComplexity() {
        #expect(Validation.loginPassword("a") == [])
        #expect(Validation.loginPassword("") == [])
    }

    @Test func fieldErrorsCollectInOrderAndThrowInvalidParams() {
        var errors = FieldErrors()
        let name: String? = Field<String>("username", required: true, .absent).read(&errors)
        let mail: String? = Field<String>("email", .invalid(Validation.notString)).read(&errors)
        let pw: String? = Field<String>("password", required: true, .value("x")).read(&errors)
        #expect(Field<String>("label", .absent).read(&errors) == nil)
        #expect(name == nil && mail == nil && pw == "x")
        errors.add("username", ["second"])
        #expect(throws: AuthError.invalid(["username": [Validation.missing, "second"], "email": [Validation.notString]])) {
            try errors.check()
        }
    }
}
