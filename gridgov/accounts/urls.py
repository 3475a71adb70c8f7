from django.urls import path

from . import lock_views, settings_views, twofactor_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("login/2fa/", twofactor_views.second_step, name="second_factor"),
    path("settings/", views.settings_home, name="settings"),
    path("staff/", settings_views.staff_list, name="staff_list"),
    path("staff/new/", settings_views.staff_new, name="staff_new"),
    path("staff/<int:pk>/edit/", settings_views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/roles/new/", settings_views.role_new, name="role_new"),
    path("staff/<int:pk>/2fa/reset/", twofactor_views.second_factor_reset, name="second_factor_reset"),
    path("staff/roles/<int:pk>/revoke/", settings_views.role_revoke, name="role_revoke"),
    path("settings/sign-in-locks/", lock_views.lock_list, name="lock_list"),
    path("settings/sign-in-locks/<int:pk>/unlock/", lock_views.lock_unlock, name="lock_unlock"),
]
