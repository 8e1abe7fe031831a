"""
The staff site: Django's admin, whose index opens on the work queue and
whose pages, while settings.ADMIN_REQUIRE_2FA is on, open only to sessions
past the second step (tongyun.two_factor).
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from gardens.access import communities_of
from gardens.models import Community
from tongyun import two_factor


class StaffSite(admin.AdminSite):
    """Django's admin site; its index adds tongyun.admin.work_queue()."""

    def index(self, request, extra_context=None):
        # Imported here: the apps' admin modules, which the work queue
        # uses, register themselves with this site as they load.
        from tongyun.admin import work_queue
        from tongyun.dashboard import may_download

        queue = work_queue(user=request.user)
        extra_context = {
            "work_queue": queue,
            "may_download_dashboard": may_download(request.user),
            **(extra_context or {}),
        }
        return super().index(request, extra_context)

    # --- Two-step login -------------------------------------------------

    def has_password_permission(self, request):
        """Django's own check: an active staff account, past the password."""
        return super().has_permission(request)

    def has_permission(self, request):
        if not self.has_password_permission(request):
            return False
        return not settings.ADMIN_REQUIRE_2FA or two_factor.is_verified(request.user)

    def needs_second_step(self, request):
        """Staff past the password whose session still lacks the code."""
        return (
            settings.ADMIN_REQUIRE_2FA
            and self.has_password_permission(request)
            and not two_factor.is_verified(request.user)
        )

    def second_step_redirect(self, request, next_url):
        url = two_factor.second_step_url(request.user, next_url, current_app=self.name)
        return HttpResponseRedirect(url)

    def admin_view(self, view, cacheable=False):
        """
        Django's admin_view; staff past the password but not the second step
        go to the second step (not to the login form, which would only say
        they may not see the page), and may still log out.
        """
        checked = super().admin_view(view, cacheable)
        unchecked = never_cache(view)
        if not getattr(view, "csrf_exempt", False):
            unchecked = csrf_protect(unchecked)

        def inner(request, *args, **kwargs):
            if not self.needs_second_step(request):
                return checked(request, *args, **kwargs)
            if request.path == reverse("admin:logout", current_app=self.name):
                return unchecked(request, *args, **kwargs)
            return self.second_step_redirect(request, request.get_full_path())

        return update_wrapper(inner, view)

    def second_step_view(self, view):
        """A page of the second step: open to staff past the password, with
        this site as the view's `site` argument."""

        def inner(request, *args, **kwargs):
            if not self.has_password_permission(request):
                return redirect_to_login(
                    request.get_full_path(),
                    reverse("admin:login", current_app=self.name),
                )
            if not settings.ADMIN_REQUIRE_2FA:
                return HttpResponseRedirect(
                    reverse("admin:index", current_app=self.name)
                )
            request.current_app = self.name
            return view(request, *args, site=self, **kwargs)

        return csrf_protect(never_cache(update_wrapper(inner, view)))

    def login(self, request, extra_context=None):
        if request.method == "GET" and self.needs_second_step(request):
            return self.second_step_redirect(request, request.GET.get("next", ""))
        response = super().login(request, extra_context)
        # Right after the password, straight on to the second step.
        if (
            request.method == "POST"
            and response.status_code == 302
            and self.needs_second_step(request)
        ):
            return self.second_step_redirect(request, response.url)
        return response

    def get_urls(self):
        # Imported here, as in index(): the views import every app's models.
        from tongyun.views import dashboard_xlsx

        def staff_view(view):
            def with_site(request, *args, **kwargs):
                request.current_app = self.name
                return view(request, *args, site=self, **kwargs)

            return self.admin_view(update_wrapper(with_site, view))

        return [
            path(
                "2fa/setup/",
                self.second_step_view(two_factor.setup),
                name="two_factor_setup",
            ),
            path(
                "2fa/verify/",
                self.second_step_view(two_factor.verify),
                name="two_factor_verify",
            ),
            path("2fa/", staff_view(two_factor.status), name="two_factor"),
            path("dashboard.xlsx", staff_view(dashboard_xlsx), name="dashboard_xlsx"),
            path(
                "2fa/backup-codes/",
                staff_view(two_factor.new_backup_codes),
                name="two_factor_backup_codes",
            ),
            *super().get_urls(),
        ]

    def each_context(self, request):
        return {
            **super().each_context(request),
            "two_factor_required": settings.ADMIN_REQUIRE_2FA,
            "staff_communities": staff_communities(request.user),
        }


def staff_communities(user):
    """
    The names of the communities that community staff work for, shown in
    the admin's header so that they know whose data they see; "" for staff
    who reach every community. One query, for community staff only.
    """
    if not user.is_authenticated:
        return ""
    communities = communities_of(user)
    if communities is None or not communities:
        return ""
    names = Community.objects.filter(pk__in=communities).values_list("name", flat=True)
    return "、".join(names)
