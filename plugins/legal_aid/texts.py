"""The kinds of matter, the green channel's grounds, and the built-in guide to each kind of
matter, in both languages (a district's edited guide replaces the built-in one)."""

from __future__ import annotations

from core.sdk import N_

MATTERS = {
    "wages": N_("Labour dispute or unpaid wages"),
    "family": N_("Marriage and family"),
    "neighbours": N_("Dispute between neighbours"),
    "property": N_("Dispute with the property manager"),
    "consumer": N_("Consumer rights"),
    "tenancy": N_("Renting a home"),
    "injury": N_("Personal injury"),
    "other": N_("Something else"),
}

# Who may go through the green channel (特殊群体绿色通道).
GROUNDS = {
    "elderly": N_("Aged 65 or over"),
    "disability": N_("A person with a disability"),
    "minor": N_("A minor (asked by a guardian)"),
    "low_income": N_("A low-income household"),
    "migrant_wages": N_("A migrant worker owed wages"),
}

OFFICE_KINDS = {
    "law_firm": N_("Law firm"),
    "legal_service": N_("Legal service office"),
    "mediation": N_("People's mediation committee"),
}

ADVISER_KINDS = {"adviser": N_("Rights adviser"), "lawyer": N_("Lawyer")}

CASE_STATES = {
    "open": N_("Under way"),
    "agreement": N_("Agreement reached"),
    "no_agreement": N_("No agreement"),
    "answered": N_("Answered"),
}


def _guide(title, steps, materials, time_limits, where_to_go):
    return {"title": title, "steps": steps, "materials": materials, "time_limits": time_limits,
            "where_to_go": where_to_go}


# The built-in guides: {matter: {language: guide}}.
GUIDES = {
    "wages": {
        "zh-Hans": _guide(
            "劳动争议与拖欠工资",
            "先与用人单位协商，保留沟通记录\n向人力资源社会保障部门劳动保障监察机构投诉欠薪\n申请劳动争议调解\n调解不成的，向劳动人事争议仲裁委员会申请仲裁\n对仲裁裁决不服的，可在收到裁决书之日起15日内向人民法院起诉",
            "身份证\n劳动合同或能证明劳动关系的材料（工牌、工作服、考勤记录）\n工资条或银行流水\n欠薪金额的计算和证据（聊天记录、欠条）",
            "申请劳动仲裁的时效为一年，从知道或者应当知道权利被侵害之日起计算；劳动关系存续期间拖欠劳动报酬的，不受此限，但劳动关系终止的，应当自终止之日起一年内提出。",
            "劳动保障监察大队、劳动人事争议仲裁委员会、社区公共法律服务工作室"),
        "en": _guide(
            "Labour disputes and unpaid wages",
            "Talk to the employer first and keep a record of it\nReport unpaid wages to the labour inspectorate\nAsk for labour-dispute mediation\nIf mediation fails, apply to the labour dispute arbitration commission\nIf you disagree with the award, go to court within 15 days of receiving it",
            "Identity card\nThe labour contract, or proof that you worked there (badge, uniform, attendance record)\nPay slips or bank statements\nHow much you are owed, and proof of it (messages, IOUs)",
            "You have one year to apply for labour arbitration, from when you knew or should have known of the wrong; wages owed while you still work there are not time-barred, but once the job ends you have one year from its end.",
            "The labour inspectorate, the labour dispute arbitration commission, the community's public legal service room"),
    },
    "neighbours": {
        "zh-Hans": _guide(
            "邻里纠纷",
            "与邻居当面沟通，说明问题\n请社区网格员或楼栋长协调\n申请人民调解（免费）\n调解达成协议的，可在协议生效之日起30日内共同向人民法院申请司法确认\n调解不成的，可向人民法院起诉",
            "身份证\n问题的照片或视频\n与邻居沟通的记录\n损失的证明（维修费用单据）",
            "一般民事纠纷的诉讼时效为三年。",
            "社区人民调解委员会、街道人民调解委员会、社区公共法律服务工作室"),
        "en": _guide(
            "Disputes between neighbours",
            "Talk to your neighbour and explain the problem\nAsk the grid worker or building head to help\nAsk for people's mediation (free)\nAn agreement reached in mediation can be confirmed by a court if the parties apply together within 30 days\nIf mediation fails, you may go to court",
            "Identity card\nPhotos or videos of the problem\nA record of what you said to each other\nProof of any loss (repair bills)",
            "Most civil claims must be brought within three years.",
            "The community's people's mediation committee, the street's mediation committee, the community's public legal service room"),
    },
}


def default_guide(matter: str, language: str) -> dict[str, str]:
    """The built-in guide to a kind of matter in ``language`` (a short general one for the
    kinds without their own, titled by the kind's name: ``title`` is empty)."""
    found = GUIDES.get(matter)
    if found:
        return found.get(language) or found["zh-Hans"]
    if language == "en":
        return _guide("",
                      "Ask a rights adviser here: describe what happened\nThe adviser tells you the steps for your matter\nIf the other side agrees, try people's mediation (free)\nOtherwise the adviser refers you to the department or to legal aid",
                      "Identity card\nContracts, receipts or other papers about the matter\nPhotos, messages or other evidence",
                      "Most civil claims must be brought within three years.",
                      "The community's public legal service room")
    return _guide("",
                  "在这里向维权顾问求助，说明事情经过\n顾问告诉您办理步骤\n对方同意的，可申请人民调解（免费）\n否则由顾问转介到主管部门或法律援助机构",
                  "身份证\n与事项有关的合同、收据等\n照片、聊天记录等证据",
                  "一般民事纠纷的诉讼时效为三年。",
                  "社区公共法律服务工作室")
