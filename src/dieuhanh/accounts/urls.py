"""Single sign-on's two URLs (mounted under /oidc/ only when DIEUHANH_OIDC is on; see dieuhanh.urls).

The names are the library's, which it reverses itself (the callback's, for the redirect_uri).
"""

from django.urls import path

from dieuhanh.accounts.oidc import CallbackView, SignInView

urlpatterns = [
    path("authenticate/", SignInView.as_view(), name="oidc_authentication_init"),
    path("callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
]
