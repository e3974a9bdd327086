from django.http import HttpResponse


def people_import(request):  # replaced by the CSV import page
    return HttpResponse(status=404)
