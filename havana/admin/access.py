"""Who is asking: a signed-in admin, checked on every admin event and request."""
from flask_login import current_user

from havana.errors import forbidden


def require_admin():
    """The signed-in Admin; raises ClientError('forbidden') for anyone else."""
    # current_user is re-read from the database at most every ADMIN_RECHECK_SECONDS (auth/accounts.py).
    if not current_user.is_authenticated:
        raise forbidden("Sign in as an admin first.")
    return current_user._get_current_object()
