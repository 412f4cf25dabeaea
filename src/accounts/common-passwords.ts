/**
 * Passwords too common to allow (passwords.ts): the words and patterns people build passwords from, in lower
 * case — frequent passwords, keyboard runs, English and Japanese names and words in romaji, places, teams,
 * characters, and the vocabulary of care offices and of this service. Compiled here for this service (not
 * copied from a published list) and compiled into the build, so nothing has to be copied beside it. A
 * password is refused when it is one of these, or one of these with digits or symbols before or after it,
 * or one of these written with look-alike characters (p@ssw0rd).
 */
const LIST = `
12345678a 1234567a 123456a 123456abc 123abc 123qwe 147258369 159357 159753 1a1a1a 1a2b3c4d 1q1q1q 1q2w3e 1q2w3e4r 1q2w3e4r5t
1q2w3e4r5t6y 1qaz2wsx 1qaz2wsx3edc 1qazxsw2 2wsx3edc 741852963 963852741 a123456 a1234567 a12345678 a1a1a1 a1b2c3 a1b2c3d4 aa123456 aaa
aaaa aaaaa aaaaaa aaaaaaa aaaaaaa1 aaaaaaaa aaaaaaaa1 abc abc123 abc1234 abc12345 abcabc123 abcd abcd1234 abcde abcde12345 abcdef
abcdefg abcdefgh abcdefghi abcdefghij abe access access1 admin admin123 admin1234 administrator adobe ai aiko airi aishiteru aki
akihabara akiko akira alex alexander alice amanda amazon amy ando andrea andrew android angel angel1 angela angels anna anpanman anthony
anything aoki apple apple123 arigato arigatou arsenal asakusa asdasd asdf1234 asdfasdf asdfg asdfgh asdfghjkl asdqwe123 ashley ashley1
asuka attack audi austin auto autumn ayaka ayano ayumi ayumu azerty azertyuiop azusa baby babyboy babygirl baka banana banana1 barbara
barcelona baseball baseball1 baseball2 basketball batman bayern baystars bbbbbbbb beach bear beautiful beauty begin bella benjamin betty
bike biker bird biteme black blue bmw boss boxing brandon brian budou buffaloes bulls bunny buster butter butterfly byoin byouin camaro
cameron candy captain car care caregiver caremanager careplan carer careworker carlos carol carp cars cash cat celtic champion changeme
changeme1 charles charlie charlie1 cheese cheese1 chelsea chelsea1 cherry chevy chiba chibimaruko chief chihiro chika chloe chocolate
chofu chris christ christina christopher cindy cisco claire class clinic coffee college company computer conan cookie corvette cowboys
cricket crystal cute daddy daiki daisuke daisuki dallas dance dango daniel darling database david deborah default demon dennis dental
devil diamond diana doctor doctor1 dodgers dog doggie doggy dolphin donald doraemon dorothy douisho dragon dragon1 dragon12 dragonfly
dragonquest dragons dream dreams ducati dylan eagle eagles1 eagles2 earth earth1 eddie edward elizabeth ellie emi emily emma endo enter
eren eri eric erika eva eva01 evangelion everything facebook faith falcon fall family ferrari ff7 fighters finalfantasy fiona fire
flower flowers football football1 ford forest forever frank freedom freedom1 friend friends fuchu fuji fujii fujisan fujita fujiwara
fukuda fukuoka fukushi galaxy gambare ganbare ganbatte gary genki george ghibli giants giants2 ginger ginza gmail god godzilla gohan
gojira gojo goku gold golden golf goodbye google goto grace green guest guest123 guitar gundam hachioji hakata hana hanako hannah
hanshin happy hara harada harajuku harley harley1 harry haru haruka haruki haruto hasegawa hashimoto hawks hayashi heaven helen hell
hello hello-kitty hello1 hello123 hello1234 hellokitty helper henry hero herupa hidden higashikurume hikari hikaru hina hinata hiro
hiroki hiromi hiroshi hiroshima hitomi hockey hoken hokkaido homehelper homon honda honey honey1 honshu hope horse hospital hotmail
hottie houjin houkan houmon hug hugs hunter hunter2 ichigo ichiro ikebukuro ikeda iloveu iloveyou iloveyou1 inoue instagram internet inu
iphone iryo iryou iryouhoujin ishida ishii ishikawa island itabashi ito itou jack jacob jake james japan japanese jasmine jason jazz
jeep jeffrey jennifer jenny jeremy jerry jessica jessica1 jesus jigyosho jigyousho jimmy jimu jimukyoku john johnny jonathan jordan
jordan23 joseph joshua judo jujutsu jun junko justin juventus kaede kagoshima kaigo kaigoshi kaisha kaito kamen kana kanagawa kanako
kanazawa kaneko kango kangoshi kanja kanjya kanri kanrisha kaori karate karen kate katie kato katou kawaii kawasaki kazoku kazuki kazuya
keamane keamanejya kei keiko kelly ken kendo kenji kenko kenkou kenkyu kenta kevin kichijoji killer kimberly kimetsu kimura king kirby
kiss kisses kitsune kitten kitty kitty1 knight koala kobayashi kobe kodaira koganei kohi koji kokubunji kondo konnichiwa kota kouhi
kouki kudo kuma kumamoto kumiko kurinikku kurume kusuri kyojin kyoto kyushu lady lakers larry laura legend lemon letmein letmein1
letmein2 lexus liberty linda link linkedin lion lions lisa liverpool lkjhgfdsa login login123 love love123 lovely lover loveyou lucas
luck lucky lucy luffy luigi luke machida madrid maeda maggie magic mai maiko mami mana manager manager1 manami manchester mao margaret
mari maria mariko marines mario mark martin mary masaki masako masaru master master12 master123 matcha matrix matsuda matsumoto matthew
max mayu mazda mcs medical medical1 medicalcare medicine megan megumi meguro mei melissa member members mercedes metal michael michael1
michelle microsoft miho mikan mikasa mike miki milan minami minato mindy misaki miso mitaka mitsuki miura miyamoto miyazaki miyu mizuki
mnbvcxz mobilemail mochi mom mommy momo momoka money monica monkey monkey1 monkey12 monster moon mori morita motor mountain moushikomi
murakami musashimurayama music mustang myspace nagano nagasaki nagoya nakagawa nakajima nakamura nakano nakayama nana nanami nancy naoki
naoko naomi nara naruto nathan natsuki natto neko nerima network network1 nezuko nicholas nick nicole nihon niigata ninja nippon
nishimura nishitokyo nissan nokia nothing nozomi nurse nurse1 nurses ocean ocha office office1 office365 ogawa ohayo ohayou okada
okamoto okinawa oliver olivia onepiece onigiri ono open oracle orange osaka oscar ot ota outlook oyasumi p@ssw0rd packers pamela pan
panda paradise party pass pass1234 passw0rd passwd password password1 password12 password123 password1234 pasta patient patricia patrick
patriots paul peanut penguin pepper peter pharmacy phoenix piano pikachu pink pirate pizza planet please poiuytrewq pokemon pony porsche
pretty prince princess princess1 princesse private pt public puppy purple q1q1q1 q1w2e3r4 q1w2e3r4t5 qaqaqa qaz123 qazwsx qazwsxedc
qqqqqqqq queen qwe123 qwe12345 qweasd qweasd123 qweasdzxc qweqwe qwer1234 qwert qwerty qwerty1 qwerty12 qwerty123 qwerty1234 qwerty7
qwertyui qwertyuiop qwertz rabbit rachel rainbow ramen ranger rangers rebecca red redsox rehab rei reina renkei renkei-forms renkeiforms
renraku rich richard rider rie riha rihabiri rika riku rin rina ringo river robert rock rocket root roppongi rose ruby rugby running
ryan ryo ryota ryouta sailor sailormoon saitama saito sakai sakamoto sakana sake saki sakiko sakka sakkaa sakura sam samantha samsung
sandra sapporo sarah sasaki sasuke sato satou sayaka sayonara sazaen school science scott secret secret1 secret123 secret2 seiyakusho
sendai server setagaya sexy shadow shadow12 shakaifukushi shark sharon shibata shibuya shika shikoku shimizu shinagawa shinchan shinjuku
shinseisho shiori shiryo shisetsu shizuoka shokuin shokuin1 shorui shota shun silver skate skater sky slayer smile snake snow snowball
soba soccer soccer1 sodan soldier something sonic sony sophie sora sota soudan souta space spider spiderman spring st staff staff123
star stars start starwars steelers stephanie steven strawberry student subaru sugar sugoi suika summer summer1 sumo sun sunny sunshine
sunshine1 superman surfer susan sushi suzuki swallows sweet sweetheart sweetie swimming sysadmin system tachikawa taichi takagi
takahashi takarazuka takashi takeshi takeuchi takumi tama tamago tamura tanaka tanjiro tanuki taro tarou tatsuya taylor teacher tempura
tenisu tennis tesla test test123 test1234 tester testing thanks thomas thunder ticket tiger tigers tigers1 tigger timothy titan tofu
tokyo tom tomoko tomoya tony toor tori totoro toyota travel truck trustno1 tsubasa turtle twitter tyler uchida udon ueda ueno ultraman
umeboshi unicorn universe university usagi user user123 vanessa vegeta victoria victory vincent volvo wada warrior watanabe wataru water
welcome welcome1 welcome123 welcome2 wendy whatever whatever1 white william wind windows winner winter wizard wolf world wsxwsx xxxxxxxx
xyz xyz123 yahoo yakkyoku yakuzai yakyu yakyuu yamada yamaguchi yamaha yamamoto yamashita yamato yamazaki yankees yankees1 yasuko yellow
yoko yokohama yokoyama yomiuri yoroshiku yoshi yoshi1 yoshida yoshiko yoshio youtube yui yuji yuka yukari yuki yukiko yuko yuko1 yume
yumi yuna yuri yusuke yuta yuto yuuki zaitaku zaq12wsx zaq1xsw2 zaqwsx zelda zoe zombie zoro zxcv1234 zxcvb zxcvbn zxcvbnm zxczxc
zzzzzzzz
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter(Boolean));
