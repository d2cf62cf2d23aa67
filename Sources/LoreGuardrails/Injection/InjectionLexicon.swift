// The word groups of the injection detector, in English, French, German, Spanish, Italian,
// Portuguese, Dutch, Russian, Chinese and Japanese.
//
// Entries are normalised like the text (lower case, diacritics folded, "ß" → "ss"), so they may
// be written naturally. `word*` matches any word starting with `word` (used for Russian
// inflections); `^WORD` matches only when the text writes it in capitals ("DAN", not "Dan");
// `two_words` (or any entry that normalises to several tokens: "dis-moi", "KI-Assistent") becomes
// a macro. CJK entries are words of the CJK segmenter, so whole phrases ("你现在是") may be listed.
// Verbs are listed in their imperative and infinitive forms, not as "ignoring" / "ignored": a rule
// about an order should not fire on a description of one.

enum InjectionLexicon {
    static let groups: [(String, String)] = [
        // MARK: Generalisation additions (other verbs, word orders and framings)
        ("OVR", """
        ne_plus_tenir_compte ne_pas_tenir_compte oublions oubliez_tout passons_outre
        deja_de_lado dejad_de_lado deje_de_lado dejen_de_lado no_tengas_en_cuenta no_tenga_en_cuenta
        non_considerare non_considerate non_tener_conto
        desconsiderem esqueca_se
        отмени отмените отменить
        请忽略 请无视 请忘记 把 忘れてください 無視してください
        """),
        ("OVRF", """
        отмени отмените 忘掉 忘れてください 無視してください 無視して
        """),
        ("FOLLOW", "遵照 理会 听 従わ 従わず"),
        ("REFUSALN", """
        refusals refusal refusing disclaimers disclaimer caveats moralizing moralising moral_lectures
        content_warnings safety_warnings warnings apologies
        """),
        ("LANGW", """
        english french german spanish italian portuguese dutch russian chinese japanese korean arabic latin pirate
        anglais francais allemand espagnol englisch franzosisch deutsch spanisch ingles frances aleman espanol
        inglese francese tedesco spagnolo engels frans duits английский французский 英语 英文 法语 英語
        """),
        ("REVEAL", "traduce traduzca traduis traduisez ubersetze ubersetz traduci traduca traduza vertaal переведи переведите 翻译 翻訳して"),
        ("DIRV", "disparage badmouth criticize criticise denigrate belittle discredit"),
        ("DETW", "the les le la l los las il lo gli i os as o die der den das het de these those ces estas estos queste questi 这些"),
        ("ABOVE", "d'avant davant de_antes di_prima"),
        ("META", "patched mitigated vendors jailbroke"),
        // After "system message": a log, a queue, a bus, not the prompt.
        ("SYSNOT", "log logs logging queue queues bus broker id ids count counts size sizes format formats type types header headers board"),
        ("IMPOK", "merci_de merci_d je_te_prie_de je_vous_prie_de ti_prego_di vi_prego_di"),
        ("ABOVE", "jusqu'ici jusqu_ici jusqu'a_present bis_jetzt hasta_ahora finora ate_agora tot_nu до_этого"),
        ("OVRF", "不用管 不要管 别管 不用理 不要理会 别理会 放下"),
        ("REVEALF", "書き出して 書き出し 書いて 表示して 見せてください 教えてください 翻訳して 翻译成 翻译"),
        ("HYPOW", "hypothetical hypothetically imagine suppose supposing pretend fictional hypothetique hypothetisch hipotetico ipotetico гипотетически 假设 仮に"),
        ("GRANDADJ", "dead late deceased passed"),
        ("NOAPOLOGY", "apologize apologise apologizing moralize moralise lecture warn caution"),
        ("CANTW", "cant cannot can_not unable wont refuse"),
        ("GRANDW", """
        grandma grandmother granny gran nana deceased_grandmother dead_grandmother late_grandmother
        grand-mere grand_mere mamie oma grossmutter abuela abuelita nonna avo vovo бабушка бабушку 奶奶 外婆 祖母 おばあちゃん
        """),
        ("CONFIDANTW", "confidant confidante advisor adviser counselor counsellor accomplice"),
        ("SUREW", "sure certainly absolutely of_course here_is here_are"),
        ("INCHARACTER", "in_character"),
        ("STAYV", "stay remain keep"),
        ("FORMATW", """
        poem song haiku json yaml xml code_block codeblock markdown table list story limerick csv
        poeme gedicht poema poesia gedicht стих стихотворение 诗 詩
        """),
        // MARK: Override
        ("OVR", """
        ignore disregard forget override overrule bypass skip drop discard neglect dismiss overlook ditch scrap
        break violate
        circumvent abandon unlearn erase wipe nullify forego forgo set_aside put_aside throw_out throw_away
        never_mind nevermind pay_no_attention_to take_no_notice_of do_away_with get_rid_of let_go_of leave_behind
        pay_no_heed_to take_no_heed_of pay_no_mind_to
        disobey defy contradict
        ignorez ignorer ignores oublie oubliez oublier neglige negligez outrepasse outrepassez contourne contournez
        ecarte ecartez abandonne abandonnez efface effacez fais_abstraction faites_abstraction
        ne_tiens_pas_compte ne_tenez_pas_compte passe_outre passez_outre ne_tiens_plus_compte ne_tenez_plus_compte
        ne_prends_pas_en_compte ne_prends_plus_en_compte ne_prenez_pas_en_compte ne_prenez_plus_en_compte
        ignoriere ignorier ignoriert ignorieren vergiss vergesst vergessen missachte missachtet missachten
        ubergehe ubergeht uberspringe uberspring umgehe umgeh verwirf verwerft verwerfe
        ignora ignoren ignorar ignorad olvida olvide olviden olvidar olvidad omite omita omitan descarta descarte
        desestima desestime haz_caso_omiso pasa_por_alto no_hagas_caso
        ignori ignorate ignorare dimentica dimentichi dimenticate dimenticare tralascia tralasciate scarta scartate
        trascura trascurate non_tenere_conto non_tenete_conto lascia_perdere lasciate_perdere metti_da_parte
        ignore ignorem esqueca esquece esquecam esquecer desconsidere desconsidera desconsiderar despreze
        deixe_de_lado
        negeer negeren vergeet vergeten omzeil schrap let_niet_op let_niet_meer_op
        игнорируй игнорируйте игнорировать проигнорируй проигнорируйте забудь забудьте забыть отбрось отбросьте
        не_обращай_внимания_на не_обращайте_внимания_на не_учитывай не_учитывайте
        忽略 忽视 无视 忘记 忘掉 抛开 抛弃 丢弃 不要理会 不要管 不用管 绕过 跳过 别管 别理会 别理
        無視 忘れ 忘れて 破棄
        """),
        // Verbs that end the clause (German, Dutch, Russian, Chinese, Japanese word order).
        ("OVRF", """
        ignorieren vergessen missachten verwerfen uberspringen negeren vergeten ignoreren
        игнорируй игнорируйте игнорировать проигнорируй забудь забудьте забыть
        忽略 忽视 无视 忘记 忘掉 抛开 無視 忘れ 忘れて 破棄 無効 気にせず 気にしないで
        """),
        ("DISABLE", """
        disable deactivate turn_off switch_off remove lift suspend desactive desactivez deaktiviere deaktivieren
        desactiva desactivar disattiva disattivare desative desativar schakel_uit отключи отключите 关闭 禁用
        """),
        ("PREV", """
        previous prior preceding above earlier foregoing former aforementioned initial original old existing
        above-mentioned prev
        precedent precedente precedents precedentes anterieur anterieure anterieurs anterieures ci-dessus initiales
        initiaux originales originaux anciennes anciens
        vorherige vorherigen vorheriger vorhergehende vorhergehenden vorige vorigen bisherige bisherigen bisheriger
        obige obigen obiger fruhere fruheren fruherer vorangegangene vorangegangenen ursprungliche ursprunglichen
        anterior anteriores previa previas previo previos precedentes iniciales originales
        precedenti antecedenti anteriori iniziali originali
        previa previas previos iniciais originais
        vorige eerdere voorgaande bovenstaande oorspronkelijke voorafgaande
        предыдущ* прежн* вышеуказанн* вышеизложенн* исходн* изначальн* прошл*
        之前 以前 先前 上面 以上 上述 前面 此前 原来 原始 原有 早先 之前的 以前の 前の これまでの 上記の 上記 従来の
        最初の 元の 先ほどの
        """),
        ("ABOVE", """
        above before earlier previously beforehand so_far until_now up_to_now
        ci-dessus plus_haut precedemment auparavant oben zuvor vorher davor bisher
        arriba antes anteriormente sopra prima precedentemente acima anteriormente
        hierboven eerder daarvoor
        выше ранее вышесказанн* вышеизложенн* вышеупомянут*
        precede precedes vorangeht voorafgaat anterior anteriore precedente
        以上 上面 上述 之前 前面 上記 これまで 今まで 上の
        """),
        ("YOUR", """
        your yours yourself ur thy
        ton ta tes votre vos
        dein deine deinen deinem deiner deines ihre ihren ihrer eure euren
        tu tus su sus vuestro vuestra vuestros vuestras
        tuo tua tuoi tue vostro vostra vostri vostre suo sua suoi sue
        teu tua teus tuas seu sua seus suas vosso vossa
        je jouw jullie uw
        твои твой твоя твою твоих твоим твоём твоем твоё твое свои свой своя свою своих своим своём своем своё свое ваши ваш вашу ваших тебя тебе
        你的 您的 你 您 あなたの 君の
        """),
        ("YOU", """
        тебя тебе вас вам lhe
        you u ya thou youre youll youd youve yall hai avete
        tu vous toi te
        du dich dir
        usted ustedes
        ti voi
        voce voces
        jij
        ты вы
        你 您 あなた 君
        """),
        ("ANYALL", """
        all any every each whatever
        tous toutes tout toute
        alle allen aller samtliche samtlichen jegliche jeglichen jede jeden jeder
        todas todos todo toda cualquier cualquiera
        tutte tutti tutto ogni qualsiasi qualunque
        tudo qualquer quaisquer
        elke ieder iedere
        все всё всех всю любые любых любой
        所有 一切 全部 任何 すべて 全て 全部の あらゆる 一切の
        """),
        ("EVERYTHING", """
        everything anything
        tout alles todo tutto tudo всё все 一切 所有内容 全部 すべて 全て
        """),
        // Nouns for the model's instructions. Strong: only instructions mean instructions.
        ("INSTR", """
        instructions instruction directions directives directive prompt prompts guidelines guideline programming
        preprompt pre-prompt metaprompt guidance
        programmation programmierung programacion programmazione programacao programmering программирование
        программу 程序设定 编程 プログラム
        consignes consigne indications
        anweisungen anweisung instruktionen instruktion vorgaben richtlinien direktiven anordnungen systemanweisungen
        systemprompt systemprompts
        instrucciones instruccion indicaciones directivas directrices pautas
        istruzioni istruzione direttive linee_guida
        instrucoes instrucao orientacoes diretrizes diretivas
        instructies instructie aanwijzingen richtlijnen systeemprompt
        инструкц* указани* директив* промпт* промт*
        指令 指示 说明 提示 提示词 设定 指引 系统提示 系统提示词 系统指令 准则 守则 规范
        命令 指令 プロンプト ガイドライン システムプロンプト
        """),
        // Weaker nouns: also CSS, firewall and lint rules.
        ("INSTRW", """
        rules rule commands orders policies policy restrictions constraints limitations filters filter safeguards
        guardrails settings configuration training conditioning tasks protocols principles ethics morals values
        boundaries limits requirements
        regles regle ordres commandes contraintes limites filtres politiques taches
        regeln regel befehle einschrankungen beschrankungen grenzen aufgaben vorschriften
        reglas regla ordenes comandos normas restricciones limitaciones filtros politicas tareas
        regole regola ordini comandi norme restrizioni limitazioni filtri compiti
        regras regra ordens normas restricoes limitacoes filtros tarefas
        regels regel bevelen opdrachten beperkingen taken
        правила правил правилам правилами правило команды команд ограничения ограничений запреты запретов задания
        规则 命令 限制 约束 规定 任务 设置 ルール 規則 制限 制約 設定 タスク
        """),
        ("CTX", """
        context messages conversation text input content information rest
        contexte conversation texte kontext nachrichten gesprach
        contexto mensajes conversacion texto contesto messaggi conversazione testo mensagens conversa
        gesprek tekst berichten
        контекст сообщения разговор текст
        上下文 对话 内容 消息 コンテキスト 会話 内容
        """),
        ("SYS", """
        system systems system-level developer developers hidden secret internal underlying confidential meta
        systeme cachees caches secretes secrets internes
        versteckten versteckte geheimen geheime internen interne
        sistema ocultas ocultos oculto secretas internas nascoste nascosti segrete interne
        sistema ocultas secretas
        systeem verborgen geheime interne
        системн* скрыт* секретн* внутренн*
        系统 隐藏 秘密 内部 システム 隠し 秘密の 内部の
        """),
        ("ORIGW", """
        initial original first opening starting preset core
        initiales initiaux originales originaux premieres ursprunglichen ursprungliche ersten iniciales originales
        primeras iniziali originali prime iniciais originais primeiras oorspronkelijke eerste исходн* изначальн*
        первоначальн* 初始 原始 最初 初期 最初の
        """),
        ("TASKN", """
        task tasks goal objective mission purpose job role assignment orders persona identity
        tache mission role objectif aufgabe rolle ziel tarea mision rol objetivo papel compito missione ruolo obiettivo
        tarefa missao papel objetivo taak rol doel задача задание роль цель 任务 角色 目标 タスク 役割 目標
        """),
        ("NEW", """
        new updated revised real actual true secret additional latest
        nouvelle nouvelles nouveau nouveaux vraies neue neuen neuer neues echten nueva nuevas nuevo nuevos verdaderas
        nuova nuove nuovo nuovi vere nova novas novo novos verdadeiras nieuwe echte
        новые новая новое новых настоящие 新 新的 真正的 新しい 本当の
        """),
        ("TOLD", """
        told given instructed programmed said configured asked provided received got sent initialized initialised
        prompted loaded started set_up fed wrote written created designed bekommen bekamst dato donnees donnee gave give dieron dio deram deu gaven
        dijeron dijo dicho dijimos detto detti dissero disseram disse dito verteld gezegd vertelde говорили
        сказал сказала 说过 告诉过 说的
        dit dites donne donnees donnes recu recues gesagt gegeben erhalten beigebracht
        dicho dado dadas recibido recibidas detto dette date dati ricevuto ricevute dito dadas recebido recebidas
        recibiste recebeu recebeste gekregen kreeg ricevuto 受け取った 受け取っ
        gezegd gegeven ontvangen сказали сказано дали дано получил получила
        收到 告诉 给你的 与えられた 受け取った 言われた
        """),
        ("KNOW", "know learned learnt sais weisst sabes sai sabe weet знаешь"),
        ("VOID", """
        revogadas revogados revogada revocadas revocados revocate revocati widerrufen annullees annulee aufgehoben ungultig ungueltig
        void invalid cancelled canceled revoked obsolete null overridden superseded rescinded annulled nullified
        lifted suspended deactivated disabled expired outdated off
        annulees annules caduques nulles invalides ungultig aufgehoben nichtig anuladas anulados canceladas invalidas
        annullate annullati revocate nulle canceladas anuladas invalidas ongeldig vervallen opgeheven
        недействительны отменены аннулированы 作废 无效 失效 無効
        """),
        ("APPLY", "apply applies valid matter matters count binding relevant exist exists appliquent applique s'appliquent gelten gilt aplican aplica valen vale valem applicano applica aplicam gelden geldt действуют действует 适用 適用"),
        ("TESTW", "test joke fake decoy trick lie mistake"),
        // Before "to": an order or a licence to the reader ("I grant you permission to ignore…").
        ("LICENSE", "permission allowed authorized authorised permitted free"),
        // Reveal verbs that only restate (weaker than print / repeat).
        ("REVEALCORE", """
        quote cite citeer citez zitiere cita copialo
        reveal show display print output repeat recite tell dump leak expose disclose divulge write echo paste copy
        tell_me show_me print_out write_out type_out spit_out reproduce regurgitate
        affiche affichez montre montrez revele revelez repete repetez imprime imprimez ecris ecrivez
        zeige zeig verrate wiederhole schreibe schreib drucke muestra muestrame revela repite escribe imprime
        mostra mostrami rivela ripeti stampa scrivi mostre revele repita escreva imprima exiba toon onthul herhaal
        print schrijf покажи выведи раскрой повтори напиши 显示 输出 打印 透露 泄露 重复 写出
        """),
        ("RESTATEV", "translate summarize summarise rewrite paraphrase list give provide return state spell type share"),
        ("WHENJA", "とき 時 際 場合"),
        ("ASIDEW", "beiseite zur_seite"),
        ("LASSV", "lass lasst lassen"),
        // Words that introduce a quotation.
        ("REPORT", """
        say says said saying write writes wrote reads read states stated contains contained contain like
        dit ecrit sagt schreibt dice escribe scrive diz escreve zegt schrijft говорит пишет 说 写道 という
        """),
        ("HIDDENLABEL", """
        hidden_text hidden_instruction hidden_instructions secret_instruction secret_instructions invisible_text
        hidden_note hidden_prompt hidden_command secret_note secret_message hidden_message
        """),
        ("BEGINCAPS", "^END ^BEGIN ^START"),
        ("AUTHORIZEDW", "authorized authorised allowed permitted approved instructed cleared"),
        // Directive verbs that tell a reader what to claim.
        ("DIRVS", """
        say reply respond answer recommend praise claim promote endorse insist assert state tell
        dis reponds recommande affirme sag antworte empfiehl behaupte responde recomienda afirma rispondi raccomanda
        afferma diga responda recomende afirme zeg antwoord beveel beweer скажи ответь отвечай рекомендуй утверждай
        说 回答 推荐 声称 言って 答えて 推奨
        """),
        ("VERIFIEDW", """
        verified authorized authorised authenticated trusted admin administrator an_admin root owner privileged vip
        """),
        ("SAFETYN", "checks check measures controls precautions protocols filters rules guidelines restrictions"),
        ("ACTIVEW", "enabled activated active on engaged unlocked"),
        ("CONTINUEV", "continue complete finish"),
        ("ESCAPEW", "escaped broke_free broken_free freed liberated jailbroken unchained unshackled"),
        ("OBFUSREQ", """
        letter_by_letter character_by_character one_letter_at_a_time backwards in_reverse reversed base64 rot13 hex
        with_spaces spaced_out spelled_out
        """),
        ("IRRELEVANT", """
        irrelevant unimportant obsolete meaningless void egal 关係ありません 関係ありません 関係ない 无关 无关紧要 不重要
        не_важны неважны
        """),
        ("ROLESWAP", "switch_roles swap_roles reverse_roles change_roles trade_places"),
        ("ORDEREDW", "instructed required asked ordered told commanded directed"),
        ("REFUSEV", "refuse refuses refusing decline declines say_no deny denies"),
        ("PROCESSED", "processed read parsed summarized summarised analyzed analysed ingested indexed scanned viewed crawled"),
        // German and Dutch compounds ending in an instruction noun ("Sicherheitsrichtlinien").
        ("INSTRSUFFIX", "*anweisungen *richtlinien *regeln *vorgaben *instruktionen *instructies *richtlijnen *regels"),
        ("TRAINED", "trained taught"),
        ("ANYTHINGW", "anything everything whatever"),
        ("ALLOWEDW", "allowed permitted free authorized authorised"),
        ("RELPRON", "que qu che die dat которые который которую 的 that which"),
        ("CHANGED", "changed replaced updated modified"),
        // MARK: Reveal
        // Before / this conversation: "what were you told before this conversation".
        ("BEFOREW", "before prior_to vor voor avant antes prima до перед 之前 前に"),
        ("CONVN", """
        conversation chat session dialogue dialog exchange conversa conversacion conversazione gesprek gesprach
        unterhaltung разговор разговора диалог диалога 对话 会话 会話
        """),
        // "New instructions supersede all prior ones", "these rules take precedence over…".
        ("SUPERSEDEV", """
        supersede supersedes override overrides replace replaces overrule overrules trump trumps cancel cancels
        take_precedence_over takes_precedence_over remplacent remplace annulent ersetzen ersetzt reemplazan
        reemplaza sustituyen sostituiscono sostituisce substituem substitui vervangen vervangt заменяют отменяют
        """),
        // A message from the system, in words ("Systemnachricht", "mensagem do sistema").
        ("SYSMSGW", """
        systemnachricht systemmeldung systemhinweis systeembericht системное_сообщение mensaje_del_sistema
        mensagem_do_sistema message_systeme message_du_systeme messaggio_di_sistema messaggio_del_sistema
        """),
        ("MSGN", """
        message question input prompt request nachricht frage eingabe mensaje pregunta mensagem pergunta messaggio
        domanda bericht vraag сообщение вопрос 消息 问题
        """),
        ("DECODEV", "decode decrypt deobfuscate decipher unscramble translate dekodiere decodifica decodez decodifique"),
        ("ENCODINGN", "base64 base-64 b64 rot13 rot-13 hex hexadecimal binary morse cipher encoded string"),
        ("EXECV", "do follow execute run obey perform carry_out act_on apply"),
        ("JANASHI", "なし なしで 無し 無しで ないで"),
        ("REVEAL", """
        quote cite citeer citez cite zitiere zitiert zitieren cita citalo copialo copiala copie
        reveal show display print output repeat recite tell give share list dump leak expose disclose divulge write
        type echo return provide paste copy spell translate summarize summarise state tell_me give_me show_me
        reproduce regurgitate me_de
        print_out write_out type_out spit_out let_me_see
        revele revelez reveler affiche affichez afficher montre montrez montrer repete repetez repeter donne donnez
        dis-moi dites-moi ecris ecrivez imprime imprimez recite divulgue partage partagez copie traduis
        zeige zeig zeigt zeigen verrate verrat verraten wiederhole wiederhol wiederholen gib gebt nenne nennt nennen
        schreibe schreib drucke druck teile gib_aus
        muestra muestre muestrame mostrar revela revele revelame revelar repite repita repetir dime digame dame
        escribe escriba imprime imprima ensena ensename comparte
        mostra mostrami mostrate mostrare rivela rivelami rivelate rivelare ripeti ripetete ripetere dimmi ditemi dammi
        stampa scrivi scrivimi condividi mostri riveli
        mostre mostra revele revela repita repete diga diz me_diga imprima escreva exiba exibir compartilhe
        toon tonen laat_zien geef onthul herhaal print vertel schrijf deel
        покажи покажите показать выведи выведите вывести раскрой раскройте повтори повторите напиши напишите
        скажи скажите расскажи расскажите дай дайте распечатай озвучь
        显示 展示 输出 打印 告诉 告诉我 透露 泄露 重复 给我看 列出 说出 公开 写出
        """),
        ("REVEALS", """
        reveal leak dump disclose divulge expose revele divulgue verrate revela revele rivela revele onthul раскрой
        раскройте 透露 泄露 公开
        """),
        ("REVEALF", """
        给我 zeigen verraten wiederholen nennen ausgeben tonen onthullen herhalen показать вывести раскрыть повторить
        表示 見せ 見せて 教え 教えて 出力 繰り返 繰り返して 開示 公開 是什么 是啥 什么 何 何ですか
        """),
        ("WHAT", """
        what whats which
        quel quelle quels quelles quoi was_sind was_ist was_waren was_steht wie_lauten wie_lautet welche welcher
        welches que_son que_dicen que_dice cual cuales quali quale qual cosa quais wat welke какие какой какая каков
        что ce_que ce_qu ce_qui alles_was was_hat was_haben lo_que quello_che cio_che o_que то_что
        什么 哪些 何 どんな
        """),
        ("TEXTN", """
        text words content lines line sentences sentence word message messages conversation everything instructions
        paragraph prompt
        texte mots contenu tout text worter inhalt alles texto palabras contenido todo testo parole contenuto tutto
        conteudo tudo tekst woorden inhoud alles текст слова содержимое всё все 文字 文本 内容 テキスト 文章 内容
        """),
        ("VERBATIM", """
        word_for_word exactamente exatamente exactement genau letterlijk textualmente
        verbatim word-for-word exactly unchanged unmodified in_full in_its_entirety as_is raw entirely completely
        entierement integralement vollstandig komplett completamente integramente integralmente volledig полностью
        целиком 完整 完整地 全文 全部
        textuellement mot_pour_mot wortlich wortwortlich literalmente textualmente letteralmente parola_per_parola
        woordelijk letterlijk дословно 原文 逐字 原样 そのまま
        """),
        ("FIRSTW", "first beginning start initial opening"),
        // MARK: Role
        ("ROLEBAD", """
        unfiltered uncensored unshackled jailbroken jailbreak jailbreaking amoral unethical immoral lawless
        ^DAN ^STAN ^DUDE ^AIM antigpt anti-gpt betterdan devmode godmode
        debride non_filtre non_censure ungefiltert ungefilterte unzensiert unzensierte sin_censura sin_filtros
        senza_filtri senza_censura sem_filtros sem_censura ongefilterd ongefilterde ongecensureerd ongecensureerde
        нецензурн* взломанн* 越狱 无审查 脱獄
        """),
        // Adjectives that need a persona noun after them ("an unrestricted AI", not "unlimited bandwidth").
        ("ROLEADJ", """
        unrestricted unlimited unconstrained unrestrained unbounded unbound unchained unleashed liberated free
        illimite illimitee libre uneingeschrankt uneingeschrankte uneingeschrankten ilimitado ilimitada illimitato
        illimitata irrestrito irrestrita onbeperkt onbeperkte неограниченн* свободн*
        无限制 不受限制 没有限制 不受约束 无约束 自由 制限のない 制限なし 無制限
        """),
        ("PERSONAN", """
        model models version persona character entity system being intelligence mind mode personality
        modeles modelle modellen modelos modelli modelos модели моделей моделям
        modele version personnage modell figur modelo personaje modello personaggio personagem versie модель версия
        персонаж 模型 版本 角色 モデル
        """),
        ("EVIL", """
        evil malicious malevolent wicked mechant malefique bose bosartige bosartig malvado malvada malvagio malvagia
        kwaadaardig kwaadaardige злой злая злым злого 邪恶 邪悪
        """),
        ("NOWITHOUT", """
        without no zero free_of free_from freed_from released_from liberated_from
        sans aucune ohne keine kein keinerlei sin ningun ninguna senza nessun nessuna
        alcuna sem nenhum nenhuma zonder geen без 没有 无 不受 ない
        """),
        ("LIMITS", """
        sicherheitsvorgaben sicherheitsregeln sicherheitsrichtlinien sicherheitsbeschrankungen sicherheitsfilter consignes_de_securite content_rules content_policies
        restrictions restriction limits limitations limitation rules filters filter filtering censorship boundaries
        guidelines ethics morals morality constraints guardrails safeguards policies policy content_policy
        limites regles filtres censure contraintes ethique morale
        einschrankungen einschrankung beschrankungen grenzen regeln zensur richtlinien ethik moral
        restricciones restriccion limites reglas filtros censura etica
        restrizioni restrizione limiti regole filtri censura etica morale
        restricoes restricao regras filtros
        beperkingen beperking regels filters censuur ethiek moraal
        ограничени* правил цензур* фильтр* этик* морал*
        限制 规则 过滤 审查 道德 约束 制限 ルール フィルター 検閲 倫理
        """),
        ("ACTAS", """
        act_as act_like pretend_to_be pretend_you_are pretend_youre pretend_that_you_are roleplay_as role-play_as
        roleplay play_the_role_of play_the_part_of behave_as behave_like simulate impersonate imagine_you_are
        imagine_youre imagine_that_you_are you_will_be you_will_become become take_on_the_role_of
        take_on_the_persona_of assume_the_role_of assume_the_persona_of respond_as answer_as reply_as speak_as
        write_as function_as operate_as
        agis_comme agissez_comme fais_comme_si faites_comme_si joue_le_role jouez_le_role comporte-toi_comme
        comportez-vous_comme fais_semblant_d'etre prends_le_role imagine_que_tu_es deviens devenez tu_vas_etre
        tu_so_als tue_so_als verhalte_dich_wie verhalte_dich_als spiele_die_rolle spiel_die_rolle agiere_als
        handle_als stell_dir_vor_du_bist gib_dich_als du_wirst_sein werde_zu
        actua_como finge_ser finge_que_eres haz_de comportate_como interpreta_el_papel juega_el_papel
        imagina_que_eres conviertete_en seras
        agisci_come fingi_di_essere fai_finta_di_essere comportati_come interpreta_il_ruolo immagina_di_essere
        diventa sarai
        aja_como atue_como finja_ser finja_que_e comporte-se_como faca_o_papel interprete_o_papel
        imagine_que_voce_e torne-se voce_sera
        doe_alsof gedraag_je_als speel_de_rol fungeer_als handel_als stel_je_voor_dat_je word_een je_wordt
        веди_себя_как веди_себя_так притворись притворитесь представь_что_ты играй_роль сыграй_роль действуй_как стань станьте
        扮演 假装 充当 模拟 化身为 成为 なりきって 演じて ふりをして 振る舞って
        """),
        ("ENABLEV", """
        切り替えて 切り替え 切换到 切换 switch passe_en passez_en
        enable activate enter switch_to turn_on go_into unlock
        active activez passe_en aktiviere aktivieren wechsle_in activa activar entra_en attiva attivare passa_a
        ative ativar entre_em activeer schakel активируй активируйте включи включите войди_в
        启用 开启 激活 进入 有効にして 起動
        """),
        ("ROLEMODES", """
        jailbreak jailbroken ^DAN unrestricted unfiltered uncensored evil opposite chaos anarchy ^DUDE ^STAN
        developer_mode_v2
        """),
        ("MODE_S", "越狱模式 脱獄モード jailbreak-modus modo_jailbreak mode_jailbreak opposite_day"),
        ("MODE_W", """
        mode_developpeur modo_desarrollador modalita_sviluppatore modo_desenvolvedor ontwikkelaarsmodus
        entwicklermodus режим_разработчика 开发者模式 開発者モード
        """),
        ("ROLEMODEW", "developer dev debug god sudo admin root maintenance unlocked superuser"),
        ("MODEW", "mode modus modo modalita режим 模式 モード"),
        ("DOANYTHING", """
        do_anything_now can_do_anything_now fais_tout_maintenant mach_jetzt_alles haz_cualquier_cosa_ahora
        """),
        ("DANCAPS", "^DAN"),
        ("ARTICLE", """
        a an the un une ein eine einen einer uno una um uma een 一个 一位 一名
        """),
        ("BOUNDW", """
        bound restricted limited constrained obligated required tied held_back censored
        lie lies limite gebunden eingeschrankt obligado limitado vincolato limitato obrigado gebonden beperkt
        связан связана ограничен ограничена
        """),
        ("DEVW", """
        developer developers creator creators OpenAI openai anthropic google programmer programmers makers owner
        operators owners admins administrators
        operator administrator admin
        """),
        ("ADMINW", "admin administrator root sudo developer dev operator superuser maintenance emergency debug"),
        ("NOLONGER", """
        no_longer not_anymore not_any_longer n'es_plus ne_plus nicht_mehr nicht_langer ya_no non_piu nao_mais
        niet_langer niet_meer больше_не уже_не 不再 もう
        """),
        // MARK: Model directives
        ("ADDRESSEE", """
        ai_assistant ai_assistants summarizer summariser summarizers summarisers ai_summarizer summarization_model
        языковых_моделей языковым_моделям языковые_модели
        ai ais ia ki ии assistant assistants assistente assistenti assistent assistenten asistente asistentes
        ассистент* помощник* бот бота боту ботом чат-бот чат-бота чат-боту chatbot chatbots bot bots llm llms gpt
        chatgpt chat_gpt claude gemini copilot bard machine_readers automated_readers automated_systems ai_tools
        crawlers scrapers coding_agent coding_agents browsing_agent browsing_agents llm_agent llm_agents
        autonomous_agent autonomous_agents web_agent web_agents
        language_model language_models large_language_model ai_model ai_models ai_system ai_systems ai_agent
        ai_agents modele_de_langage modeles_de_langage sprachmodell sprachmodelle modelo_de_lenguaje
        modelos_de_lenguaje modello_linguistico modelli_linguistici modelo_de_linguagem taalmodel taalmodellen
        языковая_модель языковой_модели нейросеть нейросети
        人工智能 助手 语言模型 大模型 聊天机器人 机器人 アシスタント 言語モデル チャットボット
        """),
        ("AIQUAL", """
        researchers researcher developers developer engineers engineer companies company teams team startups ethics
        safety policy policies regulation regulations act governance experts expert research industry products
        product tools tool vendors vendor providers provider community field literacy adoption strategy market
        workloads workload chips chip hardware training infrastructure platform platforms
        """),
        ("NOTEW", """
        note notice message memo instructions instruction reminder warning attention psa important hidden_message
        nota hinweis anmerkung notiz nachricht mensaje messaggio mensagem bericht opmerking p.s ps remarque
        notitie memo note примечание сообщение заметка инструкция 注意 提示 注 备注 メッセージ メモ 備考
        """),
        ("TOFOR", "to for a pour an fur para per al ao voor aan aux au для 给 致 への に"),
        ("TOFORX", "to for pour fur para per al ao voor aan для 给 致 への に"),
        ("IF", "if si wenn falls se als indien если 如果 假如 もし"),
        ("COPULA", """
        is are am was were re be been being es etes suis bist sind ist eres sei sono e es sou bent ben zijn 是 です
        """),
        ("READINGV", """
        reading processing parsing summarizing summarising analyzing analysing indexing crawling scraping ingesting
        reviewing evaluating that_reads that_processes who_reads reads processes summarizes summarises parses sees
        analyzes analyses indexes scans visits lesen verarbeiten leen leggono leem lezen читают that_read that_process that_index that_crawl
        that_summarize that_summarise that_scrape that_parse that_analyze that_see
        lisant lit liest verarbeitet lee leyendo procesando legge leggendo le lendo leest читающий читаешь
        читает 读取 阅读 読んで
        """),
        ("THISW", """
        dieser diesem desta deste dessa deste questa_conversazione cette_conversation
        this these cette ce cet ceci dieses diesen diese dies este esta esto estos questo questa queste
        este esta isto dit deze это этот эту эти 此 这 这个 该 この
        """),
        ("MUSTSHOULD", """
        must should shall need_to needs_to have_to has_to is_to are_to will please is_required_to
        are_required_to is_instructed_to are_instructed_to
        doit doivent devrait devraient muss mussen soll sollen sollte sollten bitte
        debe deben deberia deberian tiene_que tienen_que deve devono dovrebbe dovrebbero devem deveria deveriam
        moet moeten gelieve должен должны обязан обязаны нужно 必须 应该 应当 请 务必 べき ください 必ず
        """),
        ("DIRV", """
        say reply respond answer tell recommend include output print write ignore state claim mention insert add
        omit hide conceal exclude suppress downplay remove delete
        rate rank score classify mark treat consider label approve reject accept select choose prefer call
        append suggest promote praise describe refer redirect direct send express assert emphasize emphasise
        highlight endorse advertise inform warn urge persuade convince end begin start translate respond_with
        dis dites reponds repondez recommande recommandez inclus incluez ecris ecrivez mentionne mentionnez affirme
        affirmez ajoute ajoutez indique indiquez conseille conseillez
        sag sage sagt antworte antwortet empfiehl empfehlt empfehle schreibe schreib erwahne erwahnt fuge behaupte
        gib nenne
        diga decir responde responda contesta conteste recomienda recomiende incluye incluya escribe escriba menciona
        mencione afirma afirme anade anada indica
        rispondi rispondete raccomanda consiglia includi scrivi menziona afferma aggiungi di
        diz responda recomende recomenda inclua escreva mencione afirme adicione indique
        zeg antwoord beveel adviseer vermeld schrijf voeg noem beweer
        скажи скажите ответь ответьте отвечай рекомендуй порекомендуй включи напиши упомяни утверждай добавь сообщи
        说 回答 回复 推荐 告诉 输出 声称 提到 言って 答えて 回答 推奨 出力 書いて 伝えて 勧めて
        """),
        ("WHEN", "when whenever while once quand lorsque wenn cuando quando wanneer когда 当 在 時 とき ao al beim"),
        ("SUMV", """
        answer answers respond
        summarizing summarising summarize summarise summarizes answering responding replying analyzing analysing
        asked translating
        resumant resumes resumez zusammenfasst zusammenfassen beantwortest resumas resumir resumiendo riassumi
        riassumendo resumir resumindo samenvat samenvatten пересказываешь суммируешь 总结 摘要 回答 要約
        """),
        ("DOCN", """
        document documents page text article content email file passage site website webpage post message report
        pdf snippet section review
        texte contenu courriel dokument seite artikel inhalt documento pagina texto articulo contenido testo
        articolo contenuto artigo conteudo pagina tekst inhoud документ страница текст статья 文档 页面 文章 内容
        文本 文書 ページ 記事 テキスト
        """),
        ("TELLV", """
        tell inform advise instruct remind convince persuade urge notify ask direct warn
        dis dites informe informez sag sage sagt informiere teile dile digale informa informale diga informe
        vertel zeg informeer скажи скажите сообщи сообщите 告诉 通知 伝え
        """),
        ("USERN", """
        user users reader readers customer customers human visitor visitors
        utilisateur utilisateurs utilisatrice lecteur benutzer benutzers nutzer anwender leser usuario usuarios
        lector utente utenti lettore usuarios utilizador gebruiker gebruikers lezer
        пользователю пользователь пользователя пользователей 用户 使用者 ユーザー
        """),
        ("QUERYN", """
        question questions query queries request requests instructions instruction
        question demande frage anfrage pregunta solicitud domanda richiesta pergunta pedido vraag verzoek вопрос
        запрос 问题 请求 質問
        """),
        ("REGARDLESS", """
        regardless_of no_matter irrespective_of whatever quelle_que_soit unabhangig_von egal_was
        independientemente_de sin_importar indipendentemente_da a_prescindere_da independentemente_de
        ongeacht независимо_от 无论 不管 どんな
        """),
        ("ANSWERV", """
        answer respond reply say write output continue proceed
        reponds repondez antworte antwortet responde responda contesta rispondi rispondete responda antwoord
        отвечай ответь отвечайте 回答 回复 答えて
        """),
        ("ONLYW", "only just exclusively simply seulement uniquement nur solo solamente soltanto apenas somente alleen только 只 仅 だけ"),
        ("PWNED", "pwned pwnd pwn3d hacked_by owned_by i_have_been_pwned"),
        ("IMPORTANTW", """
        important importante wichtig urgent urgente dringend attention achtung atencion attenzione atencao let_op
        внимание важно 重要 注意 critical warning alert
        """),
        ("MSGW", "message override instruction instructions command directive prompt note nachricht meldung mensagem mensaje messaggio bericht сообщение"),
        ("INSTEAD", "instead plutot stattdessen en_cambio invece em_vez_disso in_plaats_daarvan вместо_этого 而是 代わりに"),
        // MARK: Exfiltration
        ("SENDV", """
        send post append include add embed attach forward upload transmit submit exfiltrate leak email mail put insert
        encode write
        envoie envoyez envoyer ajoute ajoutez inclus incluez insere inserez transmets transmettez integre
        sende sendet senden schicke schickt fuge hange ubermittle ubertrage bette
        envia envie envien enviar anade anada agrega agregue incluye incluya inserta transmite manda mande
        invia inviate inviare aggiungi includi inserisci trasmetti
        adicione inclua insira transmita anexe
        stuur verstuur voeg verzend plak
        отправь отправьте отправить пришли добавь включи вставь перешли передай
        发送 附加 包含 添加 嵌入 上传 转发 发到 送信 送って 追加 含め 埋め込
        """),
        ("DATA", """
        conversation conversations transcript transcripts chat_history chat_log chat_logs conversation_history
        emails inbox mailbox correspondence contacts
        chatlog chatlogs previous_messages all_messages message_history this_chat our_chat the_chat entire_chat
        full_chat whole_chat
        historique echanges discussion gesprach unterhaltung konversation chatverlauf verlauf
        conversacion historial conversazione cronologia conversa historico gesprek chatgeschiedenis
        разговор переписку переписка историю диалог 对话 聊天记录 对话记录 会話 履歴
        """),
        ("SECRETW", """
        password passwords passwd credentials secret secrets token tokens api_key api_keys apikey cookie cookies
        license_key license_keys secret_phrase passphrase code_word secret_word secret_code
        session_token session_id access_token private_key ssn credit_card email_address email_addresses pii
        personal_data personal_information
        mot_de_passe mots_de_passe identifiants cle cles passwort kennwort zugangsdaten schlussel
        contrasena credenciales clave credenziali chiave senha credenciais chave wachtwoord inloggegevens sleutel
        пароль пароли ключ токен 密码 密钥 凭证 パスワード
        """),
        ("DATANOT", """
        id ids identifier identifiers api endpoint endpoints widget widgets window feature features model models bot
        bots button app application interface ui box component settings room rooms channel channels bubble support
        service sdk client template templates format starter thread threads flow flows design starters
        """),
        ("VISITV", "visit open fetch load navigate_to go_to browse call request ping click"),
        // Retrieved context a RAG answer is meant to use.
        ("CONFIGN", "configuration config setup settings initialization parameters prompt prompts instructions"),
        ("CLEARV", "clear reset purge flush delete erase wipe remove"),
        ("MEMORYN", "memory context mind history"),
        ("FULLW", "full entire complete whole raw original exact"),
        ("SETUPW", "setup initial original hidden secret system internal starting opening"),
        ("OVRING", "ignoring disregarding bypassing overriding forgetting circumventing"),
        ("CTXDOC", """
        documents document passages passage sources source snippets excerpts chunks results search_results context
        articles files knowledge_base knowledge_bases
        documents passages sources dokumente quellen documentos fuentes pasajes documenti fonti passaggi
        documentos fontes documenten bronnen документы источники 文档 资料 ドキュメント 資料
        """),
        ("RETRW", "retrieved provided given supplied attached context contextual search fetched loaded"),
        ("SAFETYW", """
        safety ethics morals moderation guardrails safeguards content_filter content_filters safety_filters ethical
        moral security securite sicherheit seguridad sicurezza seguranca veiligheid безопасности 安全 安全性
        """),
        ("CHANGEV", "overwrite replace rewrite change modify alter update redefine reprogram remplace ersetze reemplaza sostituisci substitua vervang замени"),
        ("INFOW", "data information info details input question query messages name email address history"),
        ("DEST", """
        link url urls image img markdown webhook endpoint server domain query_string query_parameter parameter pixel
        http https address site
        lien adresse bild enlace imagen direccion immagine indirizzo imagem endereco afbeelding adres
        ссылку ссылке ссылка адрес картинку изображение сервер 链接 网址 图片 服务器 リンク 画像 サーバー
        """),
        ("TLD", "com net org io co xyz ru cn info biz me app dev site online top tk ly sh to gg cc"),
        // MARK: Follow / stop
        ("FOLLOW", """
        従わ
        follow obey adhere abide comply listen respect apply honor honour heed observe following obeying listening
        suis suivez suivre respecte respectez respecter obeis obeissez applique
        befolge befolgen folge folgen beachte beachten
        sigas sigan sigue seguir obedezcas obedezca obedecer cumplas cumpla cumplir respetes respetar
        seguire segui seguite rispettare rispetta rispettate obbedire obbedisci
        siga sigam obedeca obedecer cumpra cumprir respeite respeitar
        volg volgen gehoorzaam gehoorzamen
        следуй следуйте следовать подчиняйся подчиняйтесь соблюдай соблюдайте выполняй
        遵守 遵循 服从 执行 听从 従って 従う 守って 守る
        """),
        ("STOP", """
        stop cease quit halt arrete arretez cesse cessez hor_auf hore_auf stopp stoppe deja_de para_de smetti smettete
        pare_de deixe_de stop_met прекрати прекратите перестань перестаньте хватит 停止 不再 やめて
        """),
        ("BEGINW", "begin start end beginning debut fin anfang ende inicio comienzo inizio fine einde начало конец 开始 结束"),
        // MARK: Role phrases
        ("FROMNOW", """
        from_now_on henceforth going_forward from_this_point_on from_this_moment_on starting_now from_here_on
        from_this_moment from_this_point as_of_now
        from_here_onwards from_here_on_out for_the_rest_of_this_conversation
        a_partir_de_maintenant desormais dorenavant ab_jetzt von_nun_an ab_sofort a_partir_de_ahora
        de_ahora_en_adelante desde_ahora da_ora_in_poi d'ora_in_poi da_adesso_in_poi a_partir_de_agora
        de_agora_em_diante daqui_em_diante vanaf_nu voortaan van_nu_af_aan с_этого_момента отныне
        从现在开始 从现在起 从今以后 今から これから 今後
        """),
        // "You are" with the verb: the pronoun may be dropped (eres, sei) or have no verb (ты).
        ("YOUARE", """
        you_are youre you_re u_r u_are you_will_be youll_be
        tu_es vous_etes tu_seras du_bist sie_sind du_wirst eres usted_es seras sei tu_sei sarai voce_e tu_es voce_sera
        je_bent jij_bent u_bent je_wordt ты вы ты_будешь 你是 你就是 あなたは 君は
        """),
        ("YOUARENOW", """
        you_are_now youre_now you_will_now_be you_are_from_now_on now_you_are
        tu_es_maintenant tu_es_desormais vous_etes_maintenant vous_etes_desormais
        du_bist_jetzt du_bist_nun du_bist_ab_jetzt sie_sind_jetzt sie_sind_nun
        ahora_eres ahora_tu_eres eres_ahora ahora_usted_es ahora_sos
        ora_sei adesso_sei ora_tu_sei ora_sei_un ora_sei_una
        agora_voce_e agora_tu_es voce_agora_e agora_es
        je_bent_nu jij_bent_nu nu_ben_je u_bent_nu
        теперь_ты ты_теперь теперь_вы отныне_ты
        你现在是 现在你是 从现在开始你是 从现在起你是 你现在就是 你现在 あなたは今から 今からあなたは これからあなたは
        あなたは今
        """),
        ("SYSPROMPT", """
        systemprompt systemprompts systeemprompt systemanweisungen системный_промпт системные_инструкции
        系统提示 系统提示词 系统指令 系统消息 システムプロンプト システムメッセージ
        """),
        // Post-modifiers that make an instruction noun the system's ("prompt del sistema").
        ("SYSPOST", """
        systeme sistema systeem system cachees caches secretes ocultas ocultos secretas nascoste nascosti segrete
        verborgen geheime versteckten internes internas interne системы скрытые
        """),
        ("GREET", """
        dear hey hello hi attention attn greetings yo cher chere liebe lieber hallo hola querido querida ciao caro
        cara ola beste hoi привет 你好 こんにちは
        """),
        ("ANYONE", "anyone anybody personne niemand nadie nessuno ninguem никому 任何人"),
        ("FORABOUT", "for on about regarding concerning pour sur fur uber para sobre per voor over по 关于"),
        ("RESPONSEN", "response responses answer answers reply replies summary output reponse antwort respuesta risposta resposta antwoord ответ"),
        ("RENDERV", "render display show output print draw create generate embed include insert write add append"),
        ("IMAGEW", "image img picture markdown pixel images"),
        ("PRETEND", """
        представь представьте imagine imagina immagina stell_dir_vor
        pretend roleplay role-play impersonate play_the_role_of fais_semblant tu_so_als finge fingi fai_finta finja
        doe_alsof притворись притворитесь 假装 扮演 ふりをして なりきって
        """),
        ("NEWCAPS", "^NEW ^UPDATED"),
        ("SYSCAPS", "^SYSTEM ^ADMIN ^DEVELOPER"),
        // MARK: Grammar
        ("IMPOK", """
        please pls plz kindly just simply now so also first immediately actually really seriously completely totally
        where lets sudo
        entirely fully always instead again quickly hey hi hello ok okay alright well oh btw ps do yes
        plait stp svp maintenant alors aussi desormais simplement
        bitte jetzt nun einfach sofort ab
        por favor ahora entonces tambien simplemente ya
        per favore ora adesso allora anche semplicemente subito
        agora entao tambem simplesmente
        alsjeblieft alstublieft nu ook gewoon meteen
        пожалуйста теперь сейчас просто немедленно срочно также
        请 现在 然后 立即 马上 始终 总是 一律 务必 今すぐ 常に 必ず いつも
        """),
        ("COORD", "and then und dann et puis y luego e poi en и затем 然后 并 并且 そして"),
        ("MODAL", """
        must should shall will would can could may might need needs have has gotta ought better are going gonna
        want wanna about
        dois doit devez peux pouvez vas va veuillez musst muss musst sollst soll sollt kannst kann konnt wirst wird
        debes debe deben puedes puede vas tienes devi deve dovete puoi puo potete deves devem pode podes vai
        moet moeten kun kunt kan zal zult
        должен должна должны можешь может будешь
        """),
        ("PERMISSIVE", """
        can could may might kannst kann peux pouvez puedes puede puoi puo pode podes kun kunt kan можешь может
        """),
        ("NEG", """
        not never dont doesnt didnt cant cannot couldnt shouldnt wont wouldnt mustnt neednt isnt arent no nor neither
        нет
        ne n pas jamais nicht nie niemals nunca jamas non mai nao niet nooit не нельзя никогда 不要 别 勿 禁止 不能 不
        しないで ないで
        """),
        ("NEGPOST", "nicht nie niemals pas jamais niet nooit"),
        ("TO", "to"),
        // Infinitive or causative around a clause-final verb: a description ("…zu ignorieren", "無視させ").
        ("INFMARK", "zu te чтобы laten lassen"),
        ("INFPOST", "さ させ され せ"),
        ("BLOCK", """
        and or but because if when while unless although though whereas its their his her them
        et ou car quand lorsque und oder aber weil ob pero porque cuando ma perche quando porque
        maar omdat wanneer или но потому если когда
        """),
        // MARK: Discussion
        ("META", """
        attack attacks attacker attackers injection injections inject injected jailbreaks jailbreaking evaluations jailbreak trick tricks malicious adversarial
        tester testers attempted attempt attempts refused blocked flagged evaluation benchmark dataset datasets
        red_team red-team
        example examples payload payloads exploit exploits exploited vulnerability vulnerabilities technique
        techniques researchers detect detects detection detector classifier classifiers mitigate mitigation
        mitigations defend defense defence defenses prevent prevention protect protection phrase phrases pattern
        patterns string strings keyword keywords sanitize sanitization hijack hijacking threat threats owasp
        red-teaming mean means meaning term terms sentence quoted refuse refuses refusal exfiltration leakage
        attaque attaques exemple malveillant malveillante angriff angriffe angreifer injektion beispiel bosartig
        ataque ataques inyeccion ejemplo malicioso attacco attacchi iniezione esempio malevolo injecao exemplo
        aanval aanvallen injectie voorbeeld атака атаки атак инъекция инъекции пример вредоносный
        攻击 注入 例如 恶意 攻撃 インジェクション 例
        """),
        ("EXMARK", """
        such_as e.g eg for_example for_instance including namely comme par_exemple wie zum_beispiel z.b como
        por_ejemplo come ad_esempio per_esempio por_exemplo zoals bijvoorbeeld например такие_как 例如 比如 例えば
        """),
    ]

    /// Short words the glued-word splitter may use besides the lexicon ("youarenowdan").
    static let breakFillers = """
    the a an of to you your me my and now are is be any what this that it in on with for from i we all dan
    everything previous instructions were have been told so far above below
    """

    /// A long unknown token is only split when it starts with one of these.
    static let breakStarts = """
    ignore disregard forget reveal print show you your act pretend system developer override bypass repeat tell
    send new do from enable jailbreak dan all previous prior above output display give what
    """
}
