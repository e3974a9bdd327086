"""Authentication backend: allauth's (username or email + password), without Django's model
permissions. Baton's permissions are object-level rules (each app's permissions.py); Django's
per-model permission tables are unused, and looking them up cost two queries per page."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


class BatonAuthenticationBackend(AuthenticationBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        # Admins are superusers, and Django grants them everything before asking backends.
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def get_user(self, user_id):
        # Every page reads the viewer's profile (zone, role): load it with the user.
        try:
            found = get_user_model()._default_manager.select_related("profile").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return found if self.user_can_authenticate(found) else None
