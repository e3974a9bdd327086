from django.shortcuts import render


def dashboard(request):
    return render(request, "teams/dashboard.html", {})
