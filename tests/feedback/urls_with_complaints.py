"""The project's URLs plus a stand-in "complaints:start", for the feedback form's complaint route."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as project_urlpatterns

complaints = ([path("complaints/new/", lambda request: HttpResponse("complaint form"), name="start")], "complaints")

urlpatterns = [*project_urlpatterns, path("", include(complaints))]
