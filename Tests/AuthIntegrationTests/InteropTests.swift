import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// Real peers: PyJWT and flask-jwt-extended with the same secret.
extension IntegrationTests {
@Suite struct InteropTests {
    @Test func pyJWTDecodesAnAuthdTokenWithFlaskJWTExtendedClaims() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("pyjwt")
        let login = try c.ok(.login, ["username": "pyjwt", "password": "Passw0rd!"])
        let token = login["access_token"]!.string!
        let claims = try JSONParser.parse(python("""
            import jwt, json, sys
            print(json.dumps(jwt.decode(sys.argv[1], sys.argv[2], algorithms=["HS256"])))
            """, [token, testSecret]))
        // flask-jwt-extended's claims, and the session's id (contract §7), methods (RFC 8176)
        // and expiry in milliseconds, which it ignores.
        #expect(Set(claims.object!.keys) == ["sub", "jti", "type", "fresh", "iat", "nbf", "exp", "sid", "amr", "sexp"])
        #expect(claims["sid"] == login["session_id"])
        #expect(claims["amr"] == ["pwd"])
        #expect(claims["sexp"]!.int64! / 1000 == claims["iat"]!.int64! + 7 * 86_400)
        #expect(claims["sub"] == .string(String(id)))
        #expect(claims["type"] == "access")
        #expect(claims["fresh"] == true)
        #expect(claims["exp"]!.int64! - claims["iat"]!.int64! == 3600)
        #expect(claims["nbf"] == claims["iat"])
        // flask-jwt-extended's own decoder accepts it too.
        let identity = try python("""
            import sys
            from flask import Flask
            from flask_jwt_extended import JWTManager, decode_token
            app = Flask(__name__)
            app.config["JWT_SECRET_KEY"] = sys.argv[2]
            JWTManager(app)
            with app.app_context():
                print(decode_token(sys.argv[1])["sub"])
            """, [token, testSecret])
        #expect(identity == String(id))
        // And so does a protected route of a Flask service, with the token as its bearer.
        let status = try python("""
            import sys
            from flask import Flask
            from flask_jwt_extended import JWTManager, jwt_required, get_jwt_identity
            app = Flask(__name__)
            app.config["JWT_SECRET_KEY"] = sys.argv[2]
            JWTManager(app)
            @app.get("/me")
            @jwt_required()
            def me():
                return {"id": get_jwt_identity()}
            r = app.test_client().get("/me", headers={"Authorization": "Bearer " + sys.argv[1]})
            print(r.status_code, r.get_json()["id"])
            """, [token, testSecret])
        #expect(status == "200 \(id)")
    }

    @Test func aFlaskJWTExtendedTokenIsActive() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("flask")
        let token = try python("""
            import sys
            from flask import Flask
            from flask_jwt_extended import JWTManager, create_access_token
            app = Flask(__name__)
            app.config["JWT_SECRET_KEY"] = sys.argv[1]
            JWTManager(app)
            with app.app_context():
                print(create_access_token(identity=sys.argv[2]))
            """, [testSecret, String(id)])
        let verified = try c.ok(.verify, ["token": .string(token)])
        #expect(verified["active"] == true)
        #expect(verified["user"]?["username"] == "flask")
        #expect(verified["claims"]?["fresh"] == false)
        // And it can be revoked like one of authd's own.
        _ = try c.ok(.logout, ["token": .string(token)])
        #expect(try c.isActive(token) == false)
    }

    @Test func aTokenSignedWithAnotherKeyIsInactive() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("forger")
        let token = try python("""
            import jwt, sys, time, uuid
            now = int(time.time())
            print(jwt.encode({"sub": sys.argv[1], "jti": str(uuid.uuid4()), "type": "access", "fresh": False,
                              "iat": now, "nbf": now, "exp": now + 60}, "another-secret-of-sufficient-length!!", algorithm="HS256"))
            """, [String(id)])
        #expect(try c.isActive(token) == false)
    }

    /// Well-signed PyJWT tokens that bend the claims: a `crit` header, an `iat` a minute
    /// ahead, a `sub` spelled "01" or "+1". Only the plain one is active.
    @Test func pyJWTTokensWithCritFutureIatOrOddSubAreInactive() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("bent")
        let tokens = try python("""
            import jwt, sys, time, uuid
            now = int(time.time())
            def token(sub, iat=now, headers=None):
                return jwt.encode({"sub": sub, "jti": str(uuid.uuid4()), "type": "access", "fresh": False,
                                   "iat": iat, "nbf": now, "exp": now + 600}, sys.argv[1], algorithm="HS256", headers=headers)
            uid = sys.argv[2]
            print(token(uid), token(uid, headers={"crit": ["exp"]}), token(uid, iat=now + 60), token("0" + uid), token("+" + uid))
            """, [testSecret, String(id)]).split(separator: " ").map(String.init)
        #expect(tokens.count == 5)
        #expect(try tokens.map { try c.isActive($0) } == [true, false, false, false, false])
    }
}
}
