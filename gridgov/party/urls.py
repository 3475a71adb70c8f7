from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/qr.svg", views.meeting_qr, name="meeting_qr"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("compliance/", views.compliance, name="compliance"),
    path("points/", views.ranking, name="ranking"),
    path("points/claims/", views.claim_list, name="claim_list"),
    path("points/claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("my/", views.my, name="my"),
    path("my/claim/", views.my_claim, name="my_claim"),
    path("register/", views.register, name="register"),
]
