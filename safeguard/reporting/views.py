from django.shortcuts import render


def start(request):
    return render(request, "reporting/start.html")
