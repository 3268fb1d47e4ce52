import COpenSSL
import Synchronization

/// OpenSSL, the only file that sees it.
enum OpenSSL {
    /// Initializes libcrypto without its error strings (authd never shows OpenSSL's
    /// messages): loading them maps about a megabyte that an idle daemon would keep.
    /// The system's openssl.cnf is still read. Later calls do nothing.
    static func initialize() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS), nil)
    }

    /// HMAC-SHA256 under one key, keyed once: each call reuses a keyed context from a
    /// small free list instead of fetching the digest and hashing the key again
    /// (one-shot `HMAC()` does both, and it dominated `auth.verify`).
    /// `@unchecked`: the template is only used under `spare`'s lock, and a context
    /// taken from the list belongs to one caller until it is put back.
    final class HMACSHA256: @unchecked Sendable {
        /// Addresses of `EVP_MAC_CTX`s holding the key (as integers, which are Sendable).
        private let spare: Mutex<[UInt]>
        private let template: UnsafeMutableRawPointer

        init(key: [UInt8]) {
            OpenSSL.initialize()
            let mac = EVP_MAC_fetch(nil, OSSL_MAC_NAME_HMAC, nil)
            precondition(mac != nil, "OpenSSL has no HMAC")
            defer { EVP_MAC_free(mac) }
            let context = EVP_MAC_CTX_new(mac)!
            // OSSL_PARAM keeps both C strings by pointer: they must outlive EVP_MAC_init
            // (a String passed straight to a `const char *` lives only for that call).
            let ok = OSSL_MAC_PARAM_DIGEST.withCString { name in
                OSSL_DIGEST_NAME_SHA2_256.withCString { digest in
                    var params = [
                        OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                        OSSL_PARAM_construct_end(),
                    ]
                    return key.withUnsafeBufferPointer { EVP_MAC_init(context, $0.baseAddress, $0.count, &params) }
                }
            }
            precondition(ok == 1, "OpenSSL refused the HMAC key")
            template = UnsafeMutableRawPointer(context)
            spare = Mutex([])
        }

        deinit {
            EVP_MAC_CTX_free(OpaquePointer(template))
            spare.withLock { for context in $0 { EVP_MAC_CTX_free(OpaquePointer(bitPattern: context)) } }
        }

        func callAsFunction(_ data: some Collection<UInt8>) -> [UInt8] {
            let address = spare.withLock { $0.popLast() ?? UInt(bitPattern: EVP_MAC_CTX_dup(OpaquePointer(template))) }
            let context = OpaquePointer(bitPattern: address)!
            var out = [UInt8](repeating: 0, count: 32)
            var length = 0
            // A NULL key restarts the context with the key it holds.
            var ok = EVP_MAC_init(context, nil, 0, nil)
            let updated = data.withContiguousStorageIfAvailable { EVP_MAC_update(context, $0.baseAddress, $0.count) }
                ?? Array(data).withUnsafeBufferPointer { EVP_MAC_update(context, $0.baseAddress, $0.count) }
            ok &= updated
            ok &= out.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &length, 32) }
            precondition(ok == 1 && length == 32, "OpenSSL failed to compute an HMAC")
            spare.withLock { if $0.count < 64 { $0.append(address) } else { EVP_MAC_CTX_free(context) } }
            return out
        }
    }

    /// Equality that takes the same time wherever the inputs differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                x.count == y.count && (x.count == 0 || CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0)
            }
        }
    }

    /// SHA-256 of `data`.
    static func sha256(_ data: [UInt8]) -> [UInt8] {
        initialize()
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { EVP_Digest(input.baseAddress, input.count, $0.baseAddress, &length, EVP_sha256(), nil) }
        }
        precondition(ok == 1 && length == 32, "OpenSSL failed to compute SHA-256")
        return out
    }

    /// HMAC-SHA1 of `data`, for TOTP (RFC 6238 fixes SHA-1; HMAC-SHA1 is still sound).
    static func hmacSHA1(key: [UInt8], data: [UInt8]) -> [UInt8] {
        initialize()
        var out = [UInt8](repeating: 0, count: 20)
        var length = 0
        let result = key.withUnsafeBytes { k in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_Q_mac(nil, OSSL_MAC_NAME_HMAC, nil, OSSL_DIGEST_NAME_SHA1, nil, k.baseAddress, k.count, d.baseAddress, d.count, o.baseAddress, 20, &length)
                }
            }
        }
        precondition(result != nil && length == 20, "OpenSSL failed to compute HMAC-SHA1")
        return out
    }

    /// AES-256-GCM with a 12-byte nonce: the ciphertext followed by the 16-byte tag.
    static func aes256GCMSeal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        precondition(key.count == 32 && nonce.count == 12)
        let sealed = withGCMContext(encrypt: true, key: key, nonce: nonce) { context -> [UInt8]? in
            guard gcmUpdate(context, associatedData, authenticatedOnly: true) != nil,
                  let out = gcmUpdate(context, plaintext) else { return nil }
            var length: Int32 = 0
            var tail = [UInt8](repeating: 0, count: 16)
            guard EVP_EncryptFinal_ex(context, &tail, &length) == 1, length == 0 else { return nil }
            var tag = [UInt8](repeating: 0, count: 16)
            let ok = OSSL_CIPHER_PARAM_AEAD_TAG.withCString { name in
                tag.withUnsafeMutableBytes { buffer in
                    var params = [OSSL_PARAM_construct_octet_string(name, buffer.baseAddress, 16), OSSL_PARAM_construct_end()]
                    return EVP_CIPHER_CTX_get_params(context, &params)
                }
            }
            return ok == 1 ? out + tag : nil
        }
        guard let sealed else { preconditionFailure("OpenSSL failed to encrypt with AES-256-GCM") }
        return sealed
    }

    /// The plaintext of ciphertext ‖ tag, or nil when the tag does not verify.
    static func aes256GCMOpen(key: [UInt8], nonce: [UInt8], sealed: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        precondition(key.count == 32 && nonce.count == 12)
        guard sealed.count >= 16 else { return nil }
        let ciphertext = Array(sealed.dropLast(16))
        var tag = Array(sealed.suffix(16))
        return withGCMContext(encrypt: false, key: key, nonce: nonce) { context -> [UInt8]? in
            guard gcmUpdate(context, associatedData, authenticatedOnly: true) != nil,
                  let out = gcmUpdate(context, ciphertext) else { return nil }
            let tagged = OSSL_CIPHER_PARAM_AEAD_TAG.withCString { name in
                tag.withUnsafeMutableBytes { buffer in
                    var params = [OSSL_PARAM_construct_octet_string(name, buffer.baseAddress, 16), OSSL_PARAM_construct_end()]
                    return EVP_CIPHER_CTX_set_params(context, &params)
                }
            }
            var length: Int32 = 0
            var tail = [UInt8](repeating: 0, count: 16)
            // Final is where GCM compares the tag: a failure here is tampering or the wrong key.
            guard tagged == 1, EVP_DecryptFinal_ex(context, &tail, &length) == 1, length == 0 else { return nil }
            return out
        }
    }

    private static func withGCMContext<T>(encrypt: Bool, key: [UInt8], nonce: [UInt8], _ body: (OpaquePointer) -> T?) -> T? {
        initialize()
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else { preconditionFailure("OpenSSL has no AES-256-GCM") }
        defer { EVP_CIPHER_free(cipher) }
        guard let context = EVP_CIPHER_CTX_new() else { preconditionFailure("OpenSSL could not allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        // GCM's default IV length is the 12 bytes used here.
        let ok = key.withUnsafeBufferPointer { k in
            nonce.withUnsafeBufferPointer { n in
                encrypt
                    ? EVP_EncryptInit_ex2(context, cipher, k.baseAddress, n.baseAddress, nil)
                    : EVP_DecryptInit_ex2(context, cipher, k.baseAddress, n.baseAddress, nil)
            }
        }
        guard ok == 1 else { return nil }
        return body(context)
    }

    /// Feeds `input` through the context (either direction): the transformed bytes, or,
    /// for associated data (`authenticatedOnly`), nothing; nil when OpenSSL refuses.
    private static func gcmUpdate(_ context: OpaquePointer, _ input: [UInt8], authenticatedOnly: Bool = false) -> [UInt8]? {
        guard !input.isEmpty else { return [] }
        var out = [UInt8](repeating: 0, count: authenticatedOnly ? 0 : input.count)
        var length: Int32 = 0
        let ok = input.withUnsafeBufferPointer { i in
            authenticatedOnly
                ? EVP_CipherUpdate(context, nil, &length, i.baseAddress, Int32(i.count))
                : out.withUnsafeMutableBufferPointer { EVP_CipherUpdate(context, $0.baseAddress, &length, i.baseAddress, Int32(i.count)) }
        }
        return ok == 1 && Int(length) == input.count ? out : nil
    }

    /// Bytes from OpenSSL's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        initialize()
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        precondition(ok == 1, "OpenSSL's random generator failed")
        return out
    }
}

/// Random bytes for secrets, from OpenSSL's CSPRNG.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    OpenSSL.randomBytes(count)
}
