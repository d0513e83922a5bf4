from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 at a small cost, for tests only: they set and check hundreds of passwords, and
    the production cost (100 MB, 0.2 s a hash) would spend a minute of every run on it."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
