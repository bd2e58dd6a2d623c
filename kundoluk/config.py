"""Settings, read from the environment when the app is created (never at import)."""
import os


def _env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    """Production defaults; everything overridable by KUNDOLUK_* variables (see README)."""

    def __init__(self, instance_path):
        self.KUNDOLUK_ENV = _env("KUNDOLUK_ENV", "production")
        self.SECRET_KEY = _env("KUNDOLUK_SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = _env(
            "KUNDOLUK_DATABASE_URL", f"sqlite:///{os.path.join(instance_path, 'kundoluk.sqlite')}")
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = _env("KUNDOLUK_REDIS_URL")
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = False
        self.PASSWORD_SCRYPT_N = int(_env("KUNDOLUK_SCRYPT_N", 2 ** 17))
        self.PIN_HASH_KEY = _env("KUNDOLUK_PIN_KEY")
        self.PREFERRED_URL_SCHEME = _env("KUNDOLUK_URL_SCHEME", "http")
        # Behind an HTTPS proxy: Secure cookies and HSTS.
        self.HTTPS = self.PREFERRED_URL_SCHEME == "https"
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.REMEMBER_COOKIE_SECURE = self.HTTPS
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = None
        self.WTF_CSRF_SSL_STRICT = False  # we check Origin ourselves, on http and https
        self.BABEL_DEFAULT_LOCALE = "ky"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Bishkek"
        self.MAX_CONTENT_LENGTH = 10 * 1024 * 1024
        # Rendered diary pages kept per worker (kundoluk.web.pagecache); 0 keeps none.
        self.PAGE_CACHE_ENTRIES = int(_env("KUNDOLUK_PAGE_CACHE_ENTRIES", 4000))
        self.PAGE_CACHE_SECONDS = int(_env("KUNDOLUK_PAGE_CACHE_SECONDS", 600))
        self.COMPRESS_ALGORITHM = ["gzip"]
        self.COMPRESS_MIN_SIZE = 500
        # Sign-in limits: per login, per (login, IP), and a high per-IP ceiling (a school
        # Wi-Fi or a mobile carrier puts thousands of parents behind one address).
        self.LOGIN_LIMIT_PER_LOGIN = _env("KUNDOLUK_LOGIN_LIMIT_LOGIN", "10 per 15 minutes")
        self.LOGIN_LIMIT_PER_LOGIN_IP = _env("KUNDOLUK_LOGIN_LIMIT_LOGIN_IP", "5 per 5 minutes")
        self.LOGIN_LIMIT_PER_IP = _env("KUNDOLUK_LOGIN_LIMIT_IP", "1000 per hour")
        self.VAPID_PRIVATE_KEY = _env("KUNDOLUK_VAPID_PRIVATE_KEY")
        self.VAPID_PUBLIC_KEY = _env("KUNDOLUK_VAPID_PUBLIC_KEY")
        self.VAPID_SUBJECT = _env("KUNDOLUK_VAPID_SUBJECT", "mailto:admin@kundoluk.invalid")
        # Push services are https; plain http endpoints are only for a local test service.
        self.PUSH_ALLOW_HTTP = False
        self.PUSH_MERGE_SECONDS = int(_env("KUNDOLUK_PUSH_MERGE_SECONDS", 90))
        self.PUSH_DIGEST_AT = _env("KUNDOLUK_PUSH_DIGEST_AT", "19:00")
        self.PUSH_WORKER_THREAD = False  # python app.py runs the worker in a thread
        self.DEMO = False

    @property
    def development(self):
        return self.KUNDOLUK_ENV == "development"


def development_overrides(instance_path):
    """What `python app.py` adds: a generated dev secret kept in the instance folder."""
    key_file = os.path.join(instance_path, "dev-secret-key")
    if not os.path.exists(key_file):
        os.makedirs(instance_path, exist_ok=True)
        with open(key_file, "w") as fh:
            fh.write(os.urandom(32).hex())
    from kundoluk.push import vapid
    private, public = vapid.instance_keys(instance_path)
    with open(key_file) as fh:
        return {"SECRET_KEY": _env("KUNDOLUK_SECRET_KEY", fh.read().strip()),
                "VAPID_PRIVATE_KEY": _env("KUNDOLUK_VAPID_PRIVATE_KEY", private),
                "VAPID_PUBLIC_KEY": _env("KUNDOLUK_VAPID_PUBLIC_KEY", public),
                "PUSH_WORKER_THREAD": True,
                "KUNDOLUK_ENV": "development", "DEMO": True,
                "PIN_HASH_KEY": _env("KUNDOLUK_PIN_KEY", "development-pin-key")}
