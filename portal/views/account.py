"""My account: preferences, data export, deletion. (Built out by the accounts work.)"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/account/index.html")


@login_required
def account_export_view(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
