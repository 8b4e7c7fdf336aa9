/**
 * A small offline gazetteer of well-known cities (public geographic facts, written by hand, rounded
 * to about 1 km): enough to place an address by its city when it has no coordinates. Each line is
 * `country|latitude|longitude|name[/alias…]`; aliases hold local and English spellings. A leading
 * `*` marks the capital, used for small countries the 1:110m basemap does not draw.
 */
const TABLE = `
at|48.21|16.37|*Wien/Vienna/Viena/Vienne
at|47.07|15.44|Graz
at|48.31|14.29|Linz
at|47.81|13.04|Salzburg
at|47.27|11.39|Innsbruck
at|46.62|14.31|Klagenfurt
at|48.2|15.63|Sankt Pölten/St. Pölten
at|47.5|9.75|Bregenz
at|47.85|16.52|Eisenstadt
at|48.17|14.03|Wels
ro|44.43|26.1|*București/Bucharest/Bukarest/Bucarest
ro|44.18|28.63|Constanța/Constanta/Konstanza
ro|46.77|23.6|Cluj-Napoca/Cluj/Klausenburg
ro|47.16|27.59|Iași/Iasi/Jassy
ro|45.76|21.23|Timișoara/Timisoara/Temeswar
ro|45.66|25.6|Brașov/Brasov/Kronstadt
ro|44.32|23.8|Craiova
ro|45.44|28.05|Galați/Galati
ro|47.05|21.93|Oradea
ro|44.94|26.02|Ploiești/Ploiesti
ro|45.8|24.15|Sibiu/Hermannstadt
ro|46.18|21.31|Arad
ro|44.86|24.87|Pitești/Pitesti
ro|47.65|26.26|Suceava
ro|46.55|24.56|Târgu Mureș/Targu Mures
ro|47.66|23.58|Baia Mare
ro|45.27|27.96|Brăila/Braila
it|41.9|12.5|*Roma/Rome/Rom
it|45.46|9.19|Milano/Milan/Mailand
it|40.85|14.27|Napoli/Naples/Neapel
it|45.07|7.69|Torino/Turin
it|38.12|13.36|Palermo
it|44.41|8.93|Genova/Genoa/Genua
it|44.49|11.34|Bologna
it|43.77|11.26|Firenze/Florence/Florenz
it|41.12|16.87|Bari
it|37.5|15.09|Catania
it|45.44|12.33|Venezia/Venice/Venedig
it|45.44|10.99|Verona
it|38.19|15.55|Messina
it|45.41|11.88|Padova/Padua
it|45.65|13.78|Trieste/Triest
it|40.46|17.24|Taranto
it|45.7|9.67|Bergamo
it|45.54|10.22|Brescia
it|44.8|10.33|Parma
it|44.7|10.63|Reggio Emilia
it|44.65|10.93|Modena
it|38.11|15.65|Reggio Calabria
it|43.72|10.4|Pisa
it|43.32|11.33|Siena
it|46.5|11.35|Bolzano/Bozen
it|46.07|11.12|Trento/Trient
it|39.22|9.12|Cagliari
it|42.46|14.21|Pescara
it|43.62|13.52|Ancona
it|43.11|12.39|Perugia
it|40.68|14.77|Salerno
it|45.55|11.55|Vicenza
it|45.67|12.24|Treviso
it|46.06|13.24|Udine
de|52.52|13.4|*Berlin
de|53.55|9.99|Hamburg
de|48.14|11.58|München/Munich/Monaco di Baviera
de|50.94|6.96|Köln/Cologne/Koeln
de|50.11|8.68|Frankfurt am Main/Frankfurt
de|48.78|9.18|Stuttgart
de|51.23|6.78|Düsseldorf/Dusseldorf
de|51.51|7.47|Dortmund
de|51.46|7.01|Essen
de|51.34|12.37|Leipzig
de|53.08|8.8|Bremen
de|51.05|13.74|Dresden
de|52.38|9.73|Hannover/Hanover
de|49.45|11.08|Nürnberg/Nuremberg
de|51.43|6.76|Duisburg
de|51.48|7.22|Bochum
de|51.26|7.15|Wuppertal
de|52.02|8.53|Bielefeld
de|50.73|7.1|Bonn
de|51.96|7.63|Münster/Munster
de|49.01|8.4|Karlsruhe
de|49.49|8.47|Mannheim
de|48.37|10.9|Augsburg
de|50.08|8.24|Wiesbaden
de|49.99|8.27|Mainz
de|54.32|10.14|Kiel
de|54.09|12.14|Rostock
de|51.48|11.97|Halle (Saale)/Halle
de|52.13|11.63|Magdeburg
de|47.99|7.85|Freiburg im Breisgau/Freiburg
de|48.4|9.99|Ulm
de|49.01|12.1|Regensburg
de|50.98|11.03|Erfurt
de|52.4|13.07|Potsdam
de|53.63|11.41|Schwerin
de|49.24|6.99|Saarbrücken
de|50.78|6.08|Aachen
de|47.66|9.18|Konstanz
de|47.56|7.59|Lörrach
de|47.76|12.92|Freilassing
de|48.57|13.43|Passau
ch|46.95|7.45|*Bern/Berne/Berna
ch|47.38|8.54|Zürich/Zurich
ch|46.2|6.14|Genève/Geneva/Genf/Ginevra
ch|47.56|7.59|Basel/Bâle/Basilea
ch|46.52|6.63|Lausanne
ch|46.0|8.95|Lugano
ch|47.05|8.31|Luzern/Lucerne
ch|47.42|9.37|St. Gallen
li|47.14|9.52|*Vaduz
fr|48.86|2.35|*Paris/Parigi
fr|43.3|5.37|Marseille/Marseilles
fr|45.76|4.84|Lyon/Lyons
fr|43.6|1.44|Toulouse
fr|43.7|7.27|Nice/Nizza
fr|47.22|-1.55|Nantes
fr|48.58|7.75|Strasbourg/Straßburg
fr|43.61|3.88|Montpellier
fr|44.84|-0.58|Bordeaux
fr|50.63|3.06|Lille
fr|48.11|-1.68|Rennes
fr|49.26|4.03|Reims
fr|49.49|0.11|Le Havre
fr|45.43|4.39|Saint-Étienne/Saint-Etienne
fr|43.12|5.93|Toulon
fr|45.19|5.72|Grenoble
fr|47.32|5.04|Dijon
fr|47.47|-0.55|Angers
fr|49.12|6.18|Metz
fr|50.95|1.86|Calais
fr|41.93|8.74|Ajaccio
fr|42.7|2.9|Perpignan
fr|43.49|-1.47|Bayonne
mc|43.74|7.42|*Monaco/Monte-Carlo
be|50.85|4.35|*Bruxelles/Brussels/Brussel/Brüssel
be|51.22|4.4|Antwerpen/Antwerp/Anvers
be|51.05|3.72|Gent/Ghent/Gand
be|50.63|5.57|Liège/Liege/Luik
be|50.41|4.44|Charleroi
be|51.21|3.22|Brugge/Bruges
be|51.33|3.2|Zeebrugge
lu|49.61|6.13|*Luxembourg/Luxemburg/Lëtzebuerg
nl|52.37|4.9|*Amsterdam
nl|51.92|4.48|Rotterdam
nl|52.08|4.3|Den Haag/The Hague/'s-Gravenhage
nl|52.09|5.12|Utrecht
nl|51.44|5.47|Eindhoven
nl|53.22|6.57|Groningen
nl|51.84|5.86|Nijmegen
nl|50.85|5.69|Maastricht
nl|51.59|4.78|Breda
nl|51.69|5.3|'s-Hertogenbosch/Den Bosch
nl|52.16|4.49|Leiden
nl|52.31|4.76|Schiphol
gb|51.51|-0.13|*London/Londres/Londra
gb|52.49|-1.89|Birmingham
gb|53.48|-2.24|Manchester
gb|53.8|-1.55|Leeds
gb|55.86|-4.25|Glasgow
gb|53.41|-2.98|Liverpool
gb|55.95|-3.19|Edinburgh
gb|51.45|-2.59|Bristol
gb|53.38|-1.47|Sheffield
gb|54.97|-1.61|Newcastle upon Tyne/Newcastle
gb|51.48|-3.18|Cardiff
gb|54.6|-5.93|Belfast
gb|52.95|-1.15|Nottingham
gb|52.63|-1.13|Leicester
gb|51.13|1.31|Dover
gb|50.9|-1.4|Southampton
gb|57.15|-2.09|Aberdeen
gb|53.74|-0.33|Hull/Kingston upon Hull
ie|53.35|-6.26|*Dublin/Baile Átha Cliath
ie|51.9|-8.47|Cork
ie|53.27|-9.05|Galway
ie|52.66|-8.63|Limerick
es|40.42|-3.7|*Madrid
es|41.39|2.17|Barcelona
es|39.47|-0.38|Valencia/València
es|37.39|-5.98|Sevilla/Seville
es|41.65|-0.88|Zaragoza/Saragossa
es|36.72|-4.42|Málaga/Malaga
es|37.98|-1.13|Murcia
es|39.57|2.65|Palma/Palma de Mallorca
es|28.12|-15.43|Las Palmas de Gran Canaria/Las Palmas
es|43.26|-2.93|Bilbao
es|38.35|-0.48|Alicante/Alacant
es|37.89|-4.78|Córdoba/Cordoba
es|41.65|-4.72|Valladolid
es|42.24|-8.72|Vigo
es|43.36|-5.85|Oviedo
es|43.36|-8.41|A Coruña/La Coruña/Coruna
es|36.53|-6.29|Cádiz/Cadiz
es|36.14|-5.45|Algeciras
es|28.47|-16.25|Santa Cruz de Tenerife
es|43.32|-1.98|San Sebastián/Donostia
es|37.18|-3.6|Granada
es|35.89|-5.32|Ceuta
es|35.29|-2.94|Melilla
pt|38.72|-9.14|*Lisboa/Lisbon/Lissabon
pt|41.15|-8.61|Porto/Oporto
pt|40.21|-8.43|Coimbra
pt|41.55|-8.42|Braga
pt|37.02|-7.93|Faro
pt|32.65|-16.91|Funchal
ad|42.51|1.52|*Andorra la Vella
sm|43.94|12.45|*San Marino
va|41.9|12.45|*Città del Vaticano/Vatican City/Vatican
mt|35.9|14.51|*Valletta
mt|35.83|14.54|Luqa
dk|55.68|12.57|*København/Copenhagen/Kopenhagen
dk|56.16|10.2|Aarhus/Århus
dk|55.4|10.39|Odense
dk|57.05|9.92|Aalborg/Ålborg
se|59.33|18.07|*Stockholm
se|57.71|11.97|Göteborg/Gothenburg
se|55.6|13.0|Malmö/Malmo
se|59.86|17.64|Uppsala
se|58.41|15.62|Linköping
se|63.83|20.26|Umeå
no|59.91|10.75|*Oslo
no|60.39|5.32|Bergen
no|63.43|10.4|Trondheim
no|58.97|5.73|Stavanger
no|69.65|18.96|Tromsø/Tromso
fi|60.17|24.94|*Helsinki/Helsingfors
fi|60.21|24.66|Espoo/Esbo
fi|61.5|23.76|Tampere/Tammerfors
fi|60.45|22.27|Turku/Åbo
fi|65.01|25.47|Oulu/Uleåborg
is|64.15|-21.94|*Reykjavík/Reykjavik
ee|59.44|24.75|*Tallinn
ee|58.38|26.72|Tartu
ee|59.38|28.19|Narva
lv|56.95|24.11|*Rīga/Riga
lv|55.87|26.53|Daugavpils
lv|56.51|21.01|Liepāja/Liepaja
lt|54.69|25.28|*Vilnius/Wilno
lt|54.9|23.9|Kaunas
lt|55.71|21.13|Klaipėda/Klaipeda
pl|52.23|21.01|*Warszawa/Warsaw/Warschau/Varsovia
pl|50.06|19.94|Kraków/Krakow/Cracow/Krakau
pl|51.76|19.46|Łódź/Lodz
pl|51.11|17.04|Wrocław/Wroclaw/Breslau
pl|52.41|16.93|Poznań/Poznan/Posen
pl|54.35|18.65|Gdańsk/Gdansk/Danzig
pl|53.43|14.55|Szczecin/Stettin
pl|53.12|18.0|Bydgoszcz
pl|51.25|22.57|Lublin
pl|53.13|23.16|Białystok/Bialystok
pl|50.26|19.02|Katowice
pl|54.52|18.53|Gdynia
pl|50.04|22.0|Rzeszów/Rzeszow
pl|52.35|14.55|Słubice/Slubice
cz|50.08|14.44|*Praha/Prague/Prag
cz|49.2|16.61|Brno/Brünn
cz|49.82|18.26|Ostrava
cz|49.75|13.38|Plzeň/Plzen/Pilsen
cz|48.97|14.47|České Budějovice/Ceske Budejovice/Budweis
cz|50.21|12.87|Karlovy Vary/Karlsbad
sk|48.15|17.11|*Bratislava/Pressburg/Pozsony
sk|48.72|21.26|Košice/Kosice/Kaschau
sk|48.99|21.24|Prešov/Presov
sk|49.22|18.74|Žilina/Zilina
hu|47.5|19.04|*Budapest
hu|47.53|21.63|Debrecen
hu|46.25|20.15|Szeged
hu|48.1|20.78|Miskolc
hu|46.07|18.23|Pécs/Pecs
hu|47.69|17.63|Győr/Gyor/Raab
hu|47.4|16.54|Sopron/Ödenburg
si|46.06|14.51|*Ljubljana/Laibach/Lubiana
si|46.55|15.65|Maribor/Marburg an der Drau
si|45.55|13.73|Koper/Capodistria
hr|45.81|15.98|*Zagreb/Agram
hr|43.51|16.44|Split
hr|45.33|14.44|Rijeka/Fiume
hr|45.55|18.69|Osijek
hr|42.65|18.09|Dubrovnik
hr|44.12|15.23|Zadar
ba|43.86|18.41|*Sarajevo
ba|44.77|17.19|Banja Luka
ba|43.34|17.81|Mostar
ba|44.54|18.68|Tuzla
rs|44.79|20.45|*Beograd/Belgrade/Belgrad
rs|45.25|19.84|Novi Sad/Újvidék
rs|43.32|21.9|Niš/Nis
rs|44.02|20.91|Kragujevac
rs|46.1|19.67|Subotica/Szabadka
me|42.44|19.26|*Podgorica
me|42.09|19.09|Bar
me|42.42|18.77|Kotor
xk|42.66|21.17|*Prishtina/Priština/Pristina/Prishtinë
xk|42.21|20.74|Prizren
mk|41.99|21.43|*Skopje/Skopie
mk|41.12|20.8|Ohrid
mk|41.03|21.33|Bitola
al|41.33|19.82|*Tirana/Tiranë
al|41.32|19.45|Durrës/Durres/Durazzo
al|40.47|19.49|Vlorë/Vlora/Valona
al|42.07|19.51|Shkodër/Shkoder/Scutari
bg|42.7|23.32|*Sofia/Sofiya/София
bg|42.14|24.75|Plovdiv
bg|43.21|27.91|Varna
bg|42.5|27.47|Burgas
bg|43.85|25.95|Ruse/Rousse
gr|37.98|23.73|*Athína/Athens/Athen/Atene/Athina
gr|40.64|22.94|Thessaloníki/Thessaloniki/Salonica
gr|38.25|21.73|Pátra/Patras
gr|35.34|25.14|Irákleio/Heraklion/Iraklio
gr|37.94|23.65|Peiraiás/Piraeus/Piräus
gr|39.64|22.42|Lárisa/Larissa
gr|39.62|19.92|Kérkyra/Corfu
gr|40.85|25.87|Alexandroúpoli/Alexandroupoli
cy|35.17|33.36|*Lefkosía/Nicosia/Lefkoşa
cy|34.68|33.04|Lemesós/Limassol
cy|34.92|33.63|Lárnaka/Larnaca
md|47.01|28.86|*Chișinău/Chisinau/Kishinev
md|47.76|27.93|Bălți/Balti
md|46.84|29.63|Tiraspol
ua|50.45|30.52|*Kyiv/Kiev/Kijów
ua|49.99|36.23|Kharkiv/Kharkov
ua|46.48|30.72|Odesa/Odessa
ua|48.46|35.05|Dnipro/Dnipropetrovsk
ua|49.84|24.03|Lviv/Lwów/Lemberg
ua|47.84|35.14|Zaporizhzhia/Zaporozhye
ua|48.62|22.3|Uzhhorod/Ungvár
ua|48.29|25.94|Chernivtsi/Czernowitz
by|53.9|27.57|*Minsk
by|52.1|23.69|Brest
by|53.68|23.83|Hrodna/Grodno
ru|55.76|37.62|*Moskva/Moscow/Moskau
ru|59.94|30.31|Sankt-Peterburg/Saint Petersburg/St. Petersburg
ru|54.71|20.51|Kaliningrad
ru|55.03|82.92|Novosibirsk
ru|56.84|60.6|Yekaterinburg
ru|55.79|49.12|Kazan
ru|56.33|44.0|Nizhny Novgorod
ru|47.24|39.71|Rostov-na-Donu/Rostov-on-Don
ru|43.6|39.73|Sochi
ru|43.12|131.89|Vladivostok
ru|44.72|37.77|Novorossiysk
tr|39.93|32.86|*Ankara
tr|41.01|28.98|İstanbul/Istanbul/Constantinople
tr|38.42|27.14|İzmir/Izmir/Smyrna
tr|40.19|29.06|Bursa
tr|36.9|30.71|Antalya
tr|37.0|35.32|Adana
tr|37.07|37.38|Gaziantep
tr|41.68|26.56|Edirne
tr|37.04|27.43|Bodrum
tr|36.2|36.16|Antakya/Hatay
ge|41.72|44.79|*Tbilisi/Tiflis
ge|41.65|41.64|Batumi
am|40.18|44.51|*Yerevan/Erevan
az|40.41|49.87|*Bakı/Baku
kz|51.17|71.45|*Astana/Nur-Sultan
kz|43.24|76.89|Almaty/Alma-Ata
uz|41.3|69.24|*Tashkent/Toshkent
tm|37.96|58.33|*Ashgabat
kg|42.87|74.59|*Bishkek
tj|38.56|68.77|*Dushanbe
af|34.53|69.17|*Kabul
pk|33.68|73.05|*Islamabad
pk|24.86|67.0|Karachi
pk|31.55|74.34|Lahore
ir|35.69|51.39|*Tehran/Teheran
ir|36.3|59.6|Mashhad
iq|33.31|44.37|*Baghdad
iq|36.19|44.01|Erbil/Arbil
iq|30.51|47.78|Basra
sy|33.51|36.29|*Damascus/Dimashq
sy|36.2|37.16|Aleppo/Halab
lb|33.89|35.5|*Beirut/Beyrouth
il|31.77|35.22|*Jerusalem
il|32.09|34.78|Tel Aviv/Tel Aviv-Yafo
il|32.79|34.99|Haifa
ps|31.5|34.47|Gaza
ps|31.9|35.2|Ramallah
jo|31.95|35.93|*Amman
sa|24.71|46.68|*Riyadh/Ar-Riyad
sa|21.49|39.19|Jeddah/Jidda
ae|24.45|54.38|*Abu Dhabi
ae|25.2|55.27|Dubai
qa|25.29|51.53|*Doha
kw|29.38|47.99|*Kuwait City/Kuwait
bh|26.23|50.59|*Manama
om|23.59|58.38|*Muscat
ye|15.37|44.19|*Sanaa/Sana'a
eg|30.04|31.24|*Cairo/Al-Qahira/Kairo
eg|31.2|29.92|Alexandria/Al-Iskandariya
ly|32.89|13.19|*Tripoli/Tarabulus
ly|32.12|20.07|Benghazi
tn|36.81|10.18|*Tunis
tn|34.74|10.76|Sfax
dz|36.75|3.06|*Alger/Algiers/Algier
dz|35.7|-0.63|Oran
ma|34.02|-6.84|*Rabat
ma|33.57|-7.59|Casablanca/Dar el Beida
ma|35.76|-5.83|Tanger/Tangier/Tangiers
ma|31.63|-8.01|Marrakech/Marrakesh
ma|34.03|-5.0|Fès/Fez
ng|9.08|7.4|*Abuja
ng|6.52|3.38|Lagos
ng|6.34|5.6|Benin City
gh|5.6|-0.19|*Accra
sn|14.72|-17.47|*Dakar
ci|5.36|-4.01|Abidjan
ci|6.82|-5.28|*Yamoussoukro
ml|12.64|-8.0|*Bamako
ne|13.51|2.11|*Niamey
ne|16.97|7.99|Agadez
td|12.13|15.06|*N'Djamena
sd|15.5|32.56|*Khartoum
er|15.32|38.93|*Asmara
et|9.03|38.74|*Addis Ababa/Addis Abeba
so|2.05|45.32|*Mogadishu
ke|-1.29|36.82|*Nairobi
ke|-4.04|39.67|Mombasa
tz|-6.79|39.21|Dar es Salaam
tz|-6.16|35.75|*Dodoma
ug|0.35|32.58|*Kampala
rw|-1.95|30.06|*Kigali
cd|-4.32|15.31|*Kinshasa
cg|-4.27|15.28|*Brazzaville
cm|3.85|11.5|*Yaoundé/Yaounde
cm|4.05|9.77|Douala
ao|-8.84|13.23|*Luanda
za|-25.75|28.19|*Pretoria
za|-26.2|28.05|Johannesburg
za|-33.92|18.42|Cape Town/Kaapstad
za|-29.86|31.02|Durban
zw|-17.83|31.05|*Harare
zm|-15.39|28.32|*Lusaka
mz|-25.97|32.57|*Maputo
mg|-18.88|47.51|*Antananarivo
gn|9.64|-13.58|*Conakry
gm|13.45|-16.58|*Banjul
gw|11.86|-15.6|*Bissau
cv|14.93|-23.51|*Praia
sl|8.48|-13.23|*Freetown
lr|6.3|-10.8|*Monrovia
tg|6.13|1.22|*Lomé/Lome
bj|6.37|2.43|Cotonou
bf|12.37|-1.52|*Ouagadougou
mr|18.09|-15.98|*Nouakchott
in|28.61|77.21|*New Delhi/Delhi
in|19.08|72.88|Mumbai/Bombay
in|22.57|88.36|Kolkata/Calcutta
in|13.08|80.27|Chennai/Madras
in|12.97|77.59|Bengaluru/Bangalore
bd|23.81|90.41|*Dhaka
lk|6.93|79.85|Colombo
np|27.72|85.32|*Kathmandu
cn|39.9|116.41|*Beijing/Peking
cn|31.23|121.47|Shanghai
cn|23.13|113.26|Guangzhou/Canton
cn|22.54|114.06|Shenzhen
hk|22.32|114.17|*Hong Kong
mo|22.2|113.55|*Macau/Macao
tw|25.03|121.57|*Taipei
jp|35.68|139.69|*Tōkyō/Tokyo
jp|34.69|135.5|Ōsaka/Osaka
kr|37.57|126.98|*Seoul
kr|35.18|129.08|Busan/Pusan
kp|39.04|125.76|*Pyongyang
mn|47.89|106.91|*Ulaanbaatar/Ulan Bator
th|13.76|100.5|*Bangkok/Krung Thep
vn|21.03|105.85|*Hà Nội/Hanoi
vn|10.82|106.63|Hồ Chí Minh/Ho Chi Minh City/Saigon
kh|11.56|104.92|*Phnom Penh
la|17.97|102.63|*Vientiane
mm|16.87|96.2|Yangon/Rangoon
mm|19.76|96.08|*Naypyidaw
my|3.14|101.69|*Kuala Lumpur
sg|1.35|103.82|*Singapore/Singapur
id|-6.21|106.85|*Jakarta
id|-8.65|115.22|Denpasar
ph|14.6|120.98|*Manila
au|-35.28|149.13|*Canberra
au|-33.87|151.21|Sydney
au|-37.81|144.96|Melbourne
au|-27.47|153.03|Brisbane
au|-31.95|115.86|Perth
nz|-41.29|174.78|*Wellington
nz|-36.85|174.76|Auckland
us|38.91|-77.04|*Washington/Washington, D.C.
us|40.71|-74.01|New York/New York City/NYC
us|34.05|-118.24|Los Angeles
us|41.88|-87.63|Chicago
us|29.76|-95.37|Houston
us|25.76|-80.19|Miami
us|37.77|-122.42|San Francisco
us|47.61|-122.33|Seattle
us|42.36|-71.06|Boston
us|33.75|-84.39|Atlanta
us|32.78|-96.8|Dallas
us|39.74|-104.99|Denver
us|36.17|-115.14|Las Vegas
us|33.45|-112.07|Phoenix
us|32.72|-117.16|San Diego
us|39.95|-75.17|Philadelphia
us|42.33|-83.05|Detroit
us|29.95|-90.07|New Orleans
ca|45.42|-75.7|*Ottawa
ca|43.65|-79.38|Toronto
ca|45.5|-73.57|Montréal/Montreal
ca|49.28|-123.12|Vancouver
ca|51.05|-114.07|Calgary
mx|19.43|-99.13|*Ciudad de México/Mexico City
mx|20.67|-103.35|Guadalajara
mx|25.69|-100.32|Monterrey
mx|32.51|-117.04|Tijuana
mx|21.16|-86.85|Cancún/Cancun
gt|14.63|-90.51|*Ciudad de Guatemala/Guatemala City
sv|13.69|-89.22|*San Salvador
hn|14.07|-87.19|*Tegucigalpa
ni|12.11|-86.24|*Managua
cr|9.93|-84.08|*San José/San Jose
pa|8.98|-79.52|*Panamá/Panama City
cu|23.11|-82.37|*La Habana/Havana
do|18.49|-69.93|*Santo Domingo
ht|18.59|-72.31|*Port-au-Prince
jm|18.02|-76.8|*Kingston
pr|18.47|-66.11|*San Juan
tt|10.66|-61.52|*Port of Spain
co|4.71|-74.07|*Bogotá/Bogota
co|6.24|-75.58|Medellín/Medellin
co|3.45|-76.53|Cali
co|10.39|-75.48|Cartagena
ve|10.48|-66.9|*Caracas
ec|-0.18|-78.47|*Quito
ec|-2.17|-79.92|Guayaquil
pe|-12.05|-77.04|*Lima
pe|-12.05|-77.13|Callao
bo|-16.5|-68.15|*La Paz
bo|-17.78|-63.18|Santa Cruz de la Sierra
br|-15.79|-47.88|*Brasília/Brasilia
br|-23.55|-46.63|São Paulo/Sao Paulo
br|-22.91|-43.17|Rio de Janeiro
br|-23.96|-46.33|Santos
br|-12.97|-38.5|Salvador
br|-3.12|-60.02|Manaus
br|-8.05|-34.88|Recife
py|-25.26|-57.58|*Asunción/Asuncion
py|-25.51|-54.61|Ciudad del Este
uy|-34.9|-56.16|*Montevideo
ar|-34.6|-58.38|*Buenos Aires
ar|-31.42|-64.18|Córdoba (AR)
ar|-32.95|-60.64|Rosario
cl|-33.45|-70.67|*Santiago/Santiago de Chile
cl|-33.05|-71.62|Valparaíso/Valparaiso
gy|6.8|-58.16|*Georgetown
sr|5.85|-55.2|*Paramaribo
`;

export interface City {
  readonly name: string;
  readonly aliases: readonly string[];
  /** ISO 3166-1 alpha-2, lower case (as FtM stores countries). */
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
  readonly capital: boolean;
}

export const CITIES: readonly City[] = TABLE.trim()
  .split('\n')
  .map((line) => {
    const [country, lat, lon, names] = line.split('|');
    const capital = names!.startsWith('*');
    const [name, ...aliases] = names!.replace(/^\*/, '').split('/');
    return { name: name!, aliases, country: country!, lat: Number(lat), lon: Number(lon), capital };
  });
