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
    path("points/objections/", views.objection_list, name="objection_list"),
    path("points/objections/<int:pk>/", views.objection_answer, name="objection_answer"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/new/", views.cadre_create, name="cadre_create"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("cadre-records/<int:pk>/edit/", views.cadre_record_edit, name="cadre_record_edit"),
    path("deployments/<int:pk>/", views.deployment_detail, name="deployment_detail"),
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/<int:pk>/edit/", views.rating_edit, name="rating_edit"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("my/", views.my, name="my"),
    path("my/claim/", views.my_claim, name="my_claim"),
    path("my/objection/", views.my_objection, name="my_objection"),
    path("register/", views.register, name="register"),
]
