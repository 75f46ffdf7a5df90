"""Strings of the end-of-placement evaluations: the statements, the scale, the asks."""

from __future__ import annotations

STRINGS: dict[str, str] = {
    # The scale: a word and a sign for each answer, never colour alone.
    "agree_strongly_agree": "++ Strongly agree",
    "agree_agree": "+ Agree",
    "agree_neutral": "○ Neither agree nor disagree",
    "agree_disagree": "− Disagree",
    "agree_strongly_disagree": "−− Strongly disagree",
    # The trainee's view of their mentor (the National Mentor Standards) and school.
    "eval_trainee_MS1": "My mentor was approachable, made time for me and prioritised our meetings.",
    "eval_trainee_MS2": "My mentor supported my teaching, with constructive, clear and timely feedback on my lessons.",
    "eval_trainee_MS3": "My mentor helped me understand my role and responsibilities as a teacher and take part in the life of the school.",
    "eval_trainee_MS4": "My mentor worked with the partnership and helped me keep developing my practice.",
    "eval_trainee_SC1": "The school made me welcome and gave me what I needed to train.",
    # The tutor's view of the mentor's support (also on a visit).
    "eval_tutor_MS1": "The mentor built a trusting relationship with the trainee and prioritised their meetings.",
    "eval_tutor_MS2": "The mentor supported the trainee's teaching, with constructive, clear and timely feedback.",
    "eval_tutor_MS3": "The mentor inducted the trainee into their role and responsibilities as a teacher.",
    "eval_tutor_MS4": "The mentor worked in partnership with the provider and kept developing as a mentor.",
    # The mentor's view of the mentor training they received.
    "eval_training_TR1": "The mentor training prepared me well to mentor my trainee.",
    "eval_training_TR2": "I knew what the partnership expected of me and where to find help.",
    "eval_training_TR3": "I would recommend the partnership's mentor training to a colleague.",
    "eval_comment": "Anything else you would like to say",
    "eval_title_trainee_of_mentor": "Your mentor and school",
    "eval_title_tutor_of_mentor": "Mentor support",
    "eval_title_mentor_of_training": "Your mentor training",
    "eval_intro_trainee_of_mentor": "Your placement at {school} has ended. How did {mentor} support you? Your mentor sees answers only combined with at least two other trainees'; your lead mentor and the ITT team see them in full.",
    "eval_intro_tutor_of_mentor": "{trainee}'s placement at {school} has ended. How did {mentor} support them, against the National Mentor Standards?",
    "eval_intro_mentor_of_training": "Your placement with {trainee} has ended. How was the mentor training you received this year?",
    "eval_ask_trainee_of_mentor": "Your placement at {school} has ended. Please tell us how {mentor} supported you: it takes two minutes.",
    "eval_ask_tutor_of_mentor": "{trainee}'s placement at {school} has ended. Please evaluate {mentor}'s support against the mentor standards.",
    "eval_ask_mentor_of_training": "Your placement with {trainee} has ended. Please tell us about the mentor training you received: three questions.",
    "eval_reminder": "Reminder: {ask}",
    "eval_button": "Answer now",
    "eval_thanks": "Thank you: your evaluation is recorded.",
    "eval_already": "You answered this evaluation on {date}: thank you.",
    "eval_not_yet": "This evaluation opens when the placement ends, on {date}.",
    "owe_evaluation": "Your evaluation: {what}",
}
